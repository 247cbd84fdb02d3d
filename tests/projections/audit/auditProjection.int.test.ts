import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMetadata, RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { AUDIT_COLUMNS } from '../../../src/projections/audit/auditEntry.js';
import { AUDIT_EVENT, auditProjection } from '../../../src/projections/audit/auditProjection.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(auditProjection);
beforeAll(bed.setUp);
afterAll(bed.tearDown);

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const PASSWORD_HASH = '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';
const TOKEN_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const secret = (ciphertext: string, iv = 'MTIzNDU2Nzg5MDEy') => ({
  alg: 'AES-256-GCM',
  keyId: 'k1',
  iv,
  tag: 'dGFnMTIzNDU2Nzg5MDEyMw==',
  ciphertext,
});
const CIPHERTEXT = 'c3VwZXItc2VjcmV0LXBhc3N3b3Jk';
const NEW_CIPHERTEXT = 'YW5vdGhlci1zZWNyZXQ=';

/** Events of one stream as the event store records them, with the metadata a command gives. */
const recorded = (
  streamId: string,
  events: { type: string; data: unknown }[],
  metadata: EventMetadata = { actor: 'u-ann', correlationId: 'corr-1', occurredAt: T(0) },
): RecordedEvent[] =>
  bed
    .record(streamId, events)
    .map((event) => ({ ...event, metadata, recordedAt: new Date(T(event.position)) }));

const rowsOf = async (streamId: string) =>
  (
    await bed.pool.query(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE stream_id = $1 ORDER BY position`, [
      streamId,
    ])
  ).rows;
const summariesOf = async (streamId: string) => (await rowsOf(streamId)).map((row) => row.summary);
/** Every value of every row of the projection's tables, as text. */
const everything = async () =>
  JSON.stringify([
    (await bed.pool.query('SELECT * FROM audit_log')).rows,
    (await bed.pool.query('SELECT * FROM audit_subjects')).rows,
  ]);

const annInvited = recorded(
  'user-u-ann',
  [
    {
      type: 'AdminBootstrapped',
      data: {
        userId: 'u-ann',
        email: 'ann@example.com',
        role: 'admin',
        passwordHash: PASSWORD_HASH,
        bootstrappedAt: T(0),
      },
    },
  ],
  { actor: 'cli', occurredAt: T(0) },
);

describe('audit log read model', () => {
  it('records every event once with its actor, correlation and a summary naming the actor by e-mail', async () => {
    const pipeline = recorded('pipeline-p-1', [
      {
        type: 'PipelineCreated',
        data: { pipelineId: 'p-1', name: 'Clean orders', version: 1, definition: {}, createdAt: T(1) },
      },
      { type: 'PipelineActivated', data: { pipelineId: 'p-1', version: 1, activatedAt: T(2) } },
    ]);
    const unknown = recorded('thing-1', [{ type: 'ThingHappened', data: { thing: 1 } }], {});
    await bed.deliverTwice([...annInvited, ...pipeline, ...unknown]);

    expect(await rowsOf('pipeline-p-1')).toEqual([
      {
        position: pipeline[0]?.position,
        event_id: pipeline[0]?.id,
        recorded_at: pipeline[0]?.recordedAt,
        occurred_at: new Date(T(0)),
        actor: 'u-ann',
        correlation_id: 'corr-1',
        causation_id: null,
        stream_id: 'pipeline-p-1',
        event_type: 'PipelineCreated',
        summary: 'ann@example.com created pipeline Clean orders',
        data: { pipelineId: 'p-1', name: 'Clean orders', version: 1, definition: {}, createdAt: T(1) },
      },
      expect.objectContaining({
        event_type: 'PipelineActivated',
        summary: 'ann@example.com activated pipeline Clean orders',
      }),
    ]);
    expect(await summariesOf('user-u-ann')).toEqual(['cli bootstrapped the first admin, ann@example.com']);
    expect(await rowsOf('thing-1')).toEqual([
      expect.objectContaining({ actor: null, summary: 'ThingHappened on thing-1', data: { thing: 1 } }),
    ]);
  });

  it('keeps no secret anywhere: not a connector secret, not a password or token hash', async () => {
    const connector = recorded('connector-c-1', [
      {
        type: 'ConnectorCreated',
        data: {
          connectorId: 'c-1',
          name: 'Orders DB',
          configVersion: 1,
          direction: 'source',
          kind: 'postgres-query',
          config: {
            connectionString: secret(CIPHERTEXT),
            query: 'select * from orders',
            intervalSeconds: 60,
          },
          createdAt: T(3),
        },
      },
      {
        type: 'ConnectorConfigUpdated',
        data: {
          connectorId: 'c-1',
          configVersion: 2,
          direction: 'source',
          kind: 'postgres-query',
          config: {
            connectionString: secret(NEW_CIPHERTEXT, 'QUJDREVGR0hJSktM'),
            query: 'select * from orders',
            intervalSeconds: 30,
          },
          updatedAt: T(4),
        },
      },
    ]);
    const user = recorded('user-u-bob', [
      {
        type: 'UserInvited',
        data: {
          userId: 'u-bob',
          email: 'bob@example.com',
          role: 'developer',
          invitationTokenHash: TOKEN_HASH,
          invitationExpiresAt: T(60),
          invitedAt: T(5),
        },
      },
      {
        type: 'InvitationAccepted',
        data: { userId: 'u-bob', passwordHash: PASSWORD_HASH, acceptedAt: T(6) },
      },
      { type: 'PasswordChanged', data: { userId: 'u-bob', passwordHash: PASSWORD_HASH, changedAt: T(7) } },
    ]);
    await bed.deliverTwice([...connector, ...user]);

    const stored = await everything();
    for (const value of [
      CIPHERTEXT,
      NEW_CIPHERTEXT,
      'MTIzNDU2Nzg5MDEy',
      'dGFnMTIzNDU2Nzg5MDEyMw==',
      PASSWORD_HASH,
      TOKEN_HASH,
    ]) {
      expect(stored).not.toContain(value);
    }
    expect(await summariesOf('connector-c-1')).toEqual([
      'ann@example.com created source connector Orders DB (postgres-query)',
      'ann@example.com updated connector Orders DB: changed config.connectionString, config.intervalSeconds',
    ]);
    expect((await rowsOf('connector-c-1'))[0]?.data).toEqual({
      connectorId: 'c-1',
      name: 'Orders DB',
      configVersion: 1,
      direction: 'source',
      kind: 'postgres-query',
      config: { connectionString: '[redacted]', query: 'select * from orders', intervalSeconds: 60 },
      createdAt: T(3),
    });
    expect(await summariesOf('user-u-bob')).toEqual([
      'ann@example.com invited bob@example.com as developer',
      'ann@example.com accepted the invitation of user bob@example.com',
      'ann@example.com changed the password of user bob@example.com',
    ]);
    expect((await rowsOf('user-u-bob'))[2]?.data).toEqual({
      userId: 'u-bob',
      passwordHash: '[redacted]',
      changedAt: T(7),
    });
  });

  it('publishes each entry once, after it is recorded, and nothing for an event seen before', async () => {
    const events = recorded('pipeline-p-2', [
      {
        type: 'PipelineCreated',
        data: { pipelineId: 'p-2', name: 'Enrich', version: 1, definition: {}, createdAt: T(8) },
      },
    ]);
    const apply = async () => {
      const client = await bed.pool.connect();
      try {
        await client.query('BEGIN');
        const updates = await auditProjection.apply(client, events);
        await client.query('COMMIT');
        return updates;
      } finally {
        client.release();
      }
    };
    expect(await apply()).toEqual([
      {
        topic: AUDIT_EVENT,
        payload: {
          position: String(events[0]?.position),
          eventId: events[0]?.id,
          recordedAt: events[0]?.recordedAt.toISOString(),
          occurredAt: T(0),
          actor: 'u-ann',
          correlationId: 'corr-1',
          causationId: null,
          stream: 'pipeline-p-2',
          type: 'PipelineCreated',
          summary: 'ann@example.com created pipeline Enrich',
          data: { pipelineId: 'p-2', name: 'Enrich', version: 1, definition: {}, createdAt: T(8) },
        },
      },
    ]);
    expect(await apply()).toEqual([]);
  });
});
