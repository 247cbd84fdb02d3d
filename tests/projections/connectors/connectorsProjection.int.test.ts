import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorEvent } from '../../../src/domain/connectors/connector.js';
import type { ConnectorSpec } from '../../../src/domain/connectors/connectorConfig.js';
import type { EncryptedSecret } from '../../../src/domain/encryptedSecret.js';
import { CONNECTOR_COLUMNS } from '../../../src/projections/connectors/connectorRow.js';
import { connectorsProjection } from '../../../src/projections/connectors/connectorsProjection.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(connectorsProjection);
beforeAll(bed.setUp);
afterAll(bed.tearDown);

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const at = (minute: number) => new Date(T(minute));

const encrypted = (ciphertext: string, keyId = 'k1'): EncryptedSecret => ({
  alg: 'AES-256-GCM',
  keyId,
  iv: 'AAECAwQFBgcICQoL',
  tag: 'AAECAwQFBgcICQoLDA0ODw==',
  ciphertext,
});

const connectorRow = async (id: string) =>
  (await bed.pool.query(`SELECT ${CONNECTOR_COLUMNS} FROM connectors WHERE id = $1`, [id])).rows[0];
const everything = async () => JSON.stringify((await bed.pool.query('SELECT * FROM connectors')).rows);

const created = (connectorId: string, spec: ConnectorSpec, minute = 0): ConnectorEvent => ({
  type: 'ConnectorCreated',
  data: { connectorId, name: `Connector ${connectorId}`, configVersion: 1, createdAt: T(minute), ...spec },
});

describe('connectors read model', () => {
  it('shows a new connector with every secret masked, the same when delivered twice', async () => {
    const events = bed.record('connector-c-1', [
      created('c-1', {
        direction: 'source',
        kind: 'kafka-topic',
        config: {
          topic: 'orders',
          format: 'json',
          sasl: { mechanism: 'plain', username: 'svc', password: encrypted('cGFzc3dvcmQx') },
        },
      }),
    ]);
    await bed.deliverTwice(events);
    expect(await connectorRow('c-1')).toEqual({
      id: 'c-1',
      name: 'Connector c-1',
      direction: 'source',
      kind: 'kafka-topic',
      config: {
        topic: 'orders',
        format: 'json',
        sasl: { mechanism: 'plain', username: 'svc', password: { masked: true, keyId: 'k1' } },
      },
      config_version: 1,
      last_test_outcome: null,
      last_test_message: null,
      last_tested_at: null,
      deleted: false,
      deleted_at: null,
      created_at: at(0),
      updated_at: at(0),
      last_position: events[0]?.position,
    });
  });

  it('records a test of the config, forgets it when the config changes, and flags a deletion', async () => {
    const webhook = (signing: string, headers: Record<string, string | EncryptedSecret>): ConnectorSpec => ({
      direction: 'sink',
      kind: 'webhook',
      config: { url: 'https://hooks.example.com/in', headers, signingSecret: encrypted(signing) },
    });
    const first = bed.record('connector-c-2', [
      created('c-2', webhook('c2lnbjE=', { Authorization: encrypted('YXV0aDE=') })),
      {
        type: 'ConnectionTested',
        data: {
          connectorId: 'c-2',
          configVersion: 1,
          outcome: 'failed',
          message: 'HTTP 401',
          testedAt: T(1),
        },
      },
    ]);
    await bed.deliverTwice(first);
    expect(await connectorRow('c-2')).toMatchObject({
      config_version: 1,
      last_test_outcome: 'failed',
      last_test_message: 'HTTP 401',
      last_tested_at: at(1),
      updated_at: at(1),
    });

    // A plain header may hold an encrypted value too; it is masked like the secret ones.
    const updated = bed.record('connector-c-2', [
      {
        type: 'ConnectorConfigUpdated',
        data: {
          connectorId: 'c-2',
          configVersion: 2,
          updatedAt: T(2),
          ...webhook('c2lnbjI=', {
            Authorization: encrypted('YXV0aDI=', 'k2'),
            'X-Tenant': encrypted('dDE='),
          }),
        },
      },
    ]);
    await bed.deliverTwice(updated);
    expect(await connectorRow('c-2')).toMatchObject({
      config: {
        url: 'https://hooks.example.com/in',
        headers: { Authorization: { masked: true, keyId: 'k2' }, 'X-Tenant': { masked: true, keyId: 'k1' } },
        signingSecret: { masked: true, keyId: 'k1' },
      },
      config_version: 2,
      last_test_outcome: null,
      last_test_message: null,
      last_tested_at: null,
      updated_at: at(2),
    });

    const deleted = bed.record('connector-c-2', [
      { type: 'ConnectorDeleted', data: { connectorId: 'c-2', deletedAt: T(3) } },
    ]);
    await bed.deliverTwice(deleted);
    const row = await connectorRow('c-2');
    expect(row).toMatchObject({
      deleted: true,
      deleted_at: at(3),
      updated_at: at(3),
      last_position: deleted[0]?.position,
    });

    // Earlier batches delivered again late change nothing.
    await bed.deliver(first);
    await bed.deliver(updated);
    expect(await connectorRow('c-2')).toEqual(row);
  });

  it('never stores ciphertext, an IV or a tag', async () => {
    await bed.deliverTwice(
      bed.record('connector-c-3', [
        created('c-3', {
          direction: 'sink',
          kind: 'postgres-table',
          config: { connectionString: encrypted('Y29ubmVjdA=='), table: 'orders', keyColumns: ['id'] },
        }),
      ]),
    );
    const stored = await everything();
    for (const part of [
      'cGFzc3dvcmQx',
      'c2lnbjE=',
      'c2lnbjI=',
      'YXV0aDE=',
      'YXV0aDI=',
      'dDE=',
      'Y29ubmVjdA==',
    ]) {
      expect(stored).not.toContain(part);
    }
    expect(stored).not.toContain('AAECAwQFBgcICQoL');
    expect(stored).not.toContain('AES-256-GCM');
  });
});
