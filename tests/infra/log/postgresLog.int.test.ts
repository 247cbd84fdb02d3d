import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresLog } from '../../../src/infra/log/postgresLog.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../../setup/testServices.js';
import { logContract } from './logContract.js';

const { databaseUrl } = testServices();
// The log creates its schema with its tables on first use.
const schema = createTestSchema('log');

afterAll(async () => {
  await dropTestSchema(databaseUrl, schema);
});

// A pool per log, as a restarted process would have.
logContract('postgresLog', async () => {
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 4 });
  return { log: createPostgresLog({ pool, schema }), cleanup: () => pool.end() };
});

describe('postgresLog compacted topics', () => {
  it('keep only the latest record of each key, tombstones included, as soon as it is produced', async () => {
    const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 2 });
    const log = createPostgresLog({ pool, schema });
    try {
      const topic = uniqueTopic('compacted');
      await log.ensureTopic(topic, { partitions: 1, compacted: true });
      const record = (key: string, value: string | null) => ({
        key: Buffer.from(key),
        value: value === null ? null : Buffer.from(value),
      });
      await log.produce(topic, [record('a', 'a1'), record('b', 'b1'), record('a', 'a2')]);
      await log.produce(topic, [
        record('b', null),
        record('c', 'c1'),
        { key: null, value: Buffer.from('keyless') },
      ]);
      await log.produce(topic, [record('a', 'a3')]);

      const read: string[] = [];
      await log.readPartition(topic, 0, (records) => {
        for (const { key, value, offset } of records)
          read.push(`${offset} ${key?.toString() ?? '-'}=${value?.toString() ?? 'tombstone'}`);
      });
      expect(read).toEqual(['3 b=tombstone', '4 c=c1', '5 -=keyless', '6 a=a3']);
    } finally {
      await log.close();
      await pool.end();
    }
  });
});
