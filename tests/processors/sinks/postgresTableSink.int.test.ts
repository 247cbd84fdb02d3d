import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretCipher } from '../../../src/infra/crypto/secretCipher.js';
import {
  createPostgresTableSink,
  type PostgresTableSink,
} from '../../../src/processors/sinks/postgresTableSink.js';
import { createTestSchema, dropTestSchema, testServices } from '../../setup/testServices.js';

const { databaseUrl } = testServices();
const schema = createTestSchema('sink_table');
const table = `${schema}.sales_per_minute`;
const cipher = createSecretCipher({ keys: { k1: randomBytes(32) }, activeKeyId: 'k1' });
const config = { connectionString: cipher.encrypt(databaseUrl), table, keyColumns: ['key', 'window_start'] };
const db = new pg.Pool({ connectionString: databaseUrl, max: 1 });
let sink: PostgresTableSink;

beforeAll(async () => {
  await db.query(`CREATE SCHEMA ${schema}`);
  sink = await createPostgresTableSink({ config, cipher });
});
afterAll(async () => {
  await sink?.close();
  await db.end();
  await dropTestSchema(databaseUrl, schema);
});

const result = (key: string, minute: number, measures: Record<string, unknown>) => ({
  kafkaKey: `${key}@${at(minute)}`,
  record: { key, windowStart: at(minute), windowEnd: at(minute + 1), ...measures },
});
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const rows = async () =>
  (
    await db.query(`SELECT key, window_start, window_end, measures FROM ${table} ORDER BY key, window_start`)
  ).rows.map((row) => ({
    key: row.key,
    start: row.window_start.toISOString(),
    end: row.window_end.toISOString(),
    measures: row.measures,
  }));

describe('PostgreSQL table sink for aggregate outputs', () => {
  it('creates the table with (key, window_start) as its primary key', async () => {
    const { rows: key } = await db.query(
      `SELECT a.attname AS column FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
      [table],
    );
    expect(key).toEqual([{ column: 'key' }, { column: 'window_start' }]);
  });

  it('upserts window results, the latest of a window in a batch winning, and writing a batch twice changes nothing', async () => {
    const batch = [
      result('EU', 0, { total: 10, count: 1 }),
      result('US', 0, { total: 5, count: 1 }),
      result('EU', 0, { total: 25, count: 2 }),
      result('EU', 1, { total: 7, count: 1 }),
    ];
    await sink.write(batch);
    await sink.write(batch);
    expect(await rows()).toEqual([
      { key: 'EU', start: at(0), end: at(1), measures: { total: 25, count: 2 } },
      { key: 'EU', start: at(1), end: at(2), measures: { total: 7, count: 1 } },
      { key: 'US', start: at(0), end: at(1), measures: { total: 5, count: 1 } },
    ]);
  });

  it('deletes a retracted window and updates another in the same batch', async () => {
    await sink.write([{ kafkaKey: `EU@${at(1)}`, record: null }, result('US', 0, { total: 6, count: 2 })]);
    expect(await rows()).toEqual([
      { key: 'EU', start: at(0), end: at(1), measures: { total: 25, count: 2 } },
      { key: 'US', start: at(0), end: at(1), measures: { total: 6, count: 2 } },
    ]);
  });

  it('keeps a key holding "@" whole, since the window start follows the last one', async () => {
    await sink.write([result('a@b.example', 3, { total: 1, count: 1 })]);
    await sink.write([{ kafkaKey: `a@b.example@${at(3)}`, record: null }]);
    expect((await rows()).map((row) => row.key)).toEqual(['EU', 'US']);
  });

  it('opens on a table that exists already, as a second processor would', async () => {
    const second = await createPostgresTableSink({ config, cipher });
    await second.write([result('EU', 2, { total: 1, count: 1 })]);
    await second.close();
    expect(await rows()).toHaveLength(3);
  });

  it('refuses a result without a window start, writing nothing of its batch', async () => {
    await expect(
      sink.write([result('EU', 5, { total: 1 }), { kafkaKey: 'EU@x', record: { key: 'EU', total: 1 } }]),
    ).rejects.toThrow('The result EU@x has no windowStart instant');
    expect(await rows()).toHaveLength(3);
  });

  it('refuses a table name that is not one, before connecting', async () => {
    await expect(
      createPostgresTableSink({ config: { ...config, table: 'orders; DROP TABLE users' }, cipher }),
    ).rejects.toThrow('is not a table name');
  });
});
