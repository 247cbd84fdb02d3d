import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayedEvents, relayLag } from '../../../src/infra/metrics/metrics.js';
import { LOCK_CLASS, projectionLockKey } from '../../../src/projections/runner/generationNames.js';
import { uniqueTopic } from '../../setup/testServices.js';
import { waitFor } from '../../setup/waitFor.js';
import { type ReadRecord, type RelayLogFactory, type RelayTestBed, relayTestBed } from './relayTestBed.js';

const WAIT_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** Resolves once every position from 1 to `head` has been read, at least once. */
const untilAll = (received: readonly ReadRecord[], head: number) =>
  waitFor(async () => new Set(received.map(({ event }) => event.globalPosition)).size >= head, WAIT_MS);

const positionsOf = (received: readonly ReadRecord[]) => received.map(({ event }) => event.globalPosition);

/** Per stream, the positions in the order the topic delivered them. */
const byStream = (received: readonly ReadRecord[]) => {
  const streams = new Map<string, number[]>();
  for (const { event } of received)
    streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event.globalPosition]);
  return streams;
};

const isIncreasing = (positions: readonly number[]) =>
  positions.every((position, index) => index === 0 || position > positions[index - 1]!);

const gauge = async () => (await relayLag.get()).values[0]?.value ?? 0;
const counter = async () => (await relayedEvents.get()).values[0]?.value ?? 0;

/**
 * The relay's behaviour, run unchanged over each log adapter: Kafka and the embedded log.
 * Every test publishes to a topic of its own, so the checkpoints (named by topic) start at 0.
 */
export const eventRelaySuite = (name: string, newLog: RelayLogFactory) =>
  describe(`the event relay on ${name}`, () => {
    let bed: RelayTestBed;
    beforeAll(async () => {
      bed = await relayTestBed(newLog);
    });
    afterAll(() => bed?.tearDown());

    it('publishes every event, in order per stream, keyed by stream, with its headers and a decodable envelope', async () => {
      // Given events in five streams, and a relay started after them
      const topic = uniqueTopic('relay-all');
      await bed.append(250, 5, 'before');
      const relay = await bed.start(topic);
      const received = await bed.read(topic);

      // When more are appended while it runs
      const head = await bed.append(50, 5, 'live');

      // Then each arrives once, and a stream's events in their order
      await untilAll(received, head);
      await waitFor(async () => (await bed.checkpoint(topic)) === head, WAIT_MS);
      expect(positionsOf(received).sort((a, b) => a - b)).toEqual(range(1, head));
      const streams = byStream(received);
      expect([...streams.keys()].sort()).toEqual(['thing-0', 'thing-1', 'thing-2', 'thing-3', 'thing-4']);
      for (const positions of streams.values()) expect(isIncreasing(positions)).toBe(true);
      expect(relay.relayedPosition()).toBe(head);

      // And every record carries the stream as key, the headers, and the event as stored
      const stored = await bed.eventStore.readAll({ maxCount: head });
      for (const { record, event } of received) {
        const original = stored[event.globalPosition - 1]!;
        expect(record.key?.toString()).toBe(original.streamId);
        expect(record.headers).toEqual({
          'tributary-event-type': 'ThingHappened',
          'tributary-event-id': original.id,
          'tributary-position': String(original.position),
        });
        expect(event).toEqual({
          id: original.id,
          streamId: original.streamId,
          type: 'ThingHappened',
          streamRevision: original.revision,
          globalPosition: original.position,
          recordedAt: original.recordedAt.getTime(),
          data: original.data,
          metadata: { actor: 'tester', schemaVersion: 1 },
        });
      }
      await relay.stop();
    });

    it('resumes from its checkpoint after a restart, with no gap and no duplicate after a clean stop', async () => {
      // Given a relay that published what the store held, then stopped
      const topic = uniqueTopic('relay-restart');
      const start = await bed.eventStore.headPosition();
      const first = await bed.start(topic);
      await waitFor(async () => first.relayedPosition() === start, WAIT_MS);
      await first.stop();

      // When events are appended while no relay runs, and a new one starts
      const head = await bed.append(120, 3, 'while-down');
      const second = await bed.start(topic);

      // Then it takes up at the checkpoint, and the topic holds every event exactly once
      await waitFor(async () => second.relayedPosition() === head, WAIT_MS);
      const received = await bed.read(topic);
      await untilAll(received, head);
      await sleep(500);
      expect(positionsOf(received).sort((a, b) => a - b)).toEqual(range(1, head));
      await second.stop();
    });

    it('publishes again only the batch whose checkpoint was not written when publishing failed', async () => {
      // Given a log that fails once, right after the broker took the relay's second batch
      const topic = uniqueTopic('relay-crash');
      const head = await bed.eventStore.headPosition();
      let produced = 0;
      const relay = await bed.start(topic, {
        batchSize: 50,
        hooks: {
          after: async () => {
            produced += 1;
            if (produced === 2) throw new Error('connection lost after produce');
          },
        },
      });

      // When it runs until caught up
      await waitFor(async () => relay.relayedPosition() === head, WAIT_MS);
      const received = await bed.read(topic);
      await untilAll(received, head);
      await sleep(500);

      // Then every event arrived, and only the second batch twice
      const seen = positionsOf(received);
      const duplicates = seen
        .filter((position, index) => seen.indexOf(position) !== index)
        .sort((a, b) => a - b);
      expect(new Set(seen)).toEqual(new Set(range(1, head)));
      expect(duplicates).toEqual(range(51, 100));
      await relay.stop();
    });

    it("never lets a user's password, token or key hashes out", async () => {
      // Given the user events that carry hashes
      const passwords = ['$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$bmV3'];
      const [inviteHash, verifyHash, keyHash] = ['a', 'b', 'c'].map((char) => char.repeat(64)) as [
        string,
        string,
        string,
      ];
      const at = '2026-03-01T09:00:00.000Z';
      await bed.eventStore.append('user-u-9', [
        {
          type: 'AdminBootstrapped',
          data: {
            userId: 'u-9',
            email: 'root@example.com',
            role: 'admin',
            passwordHash: passwords[0],
            bootstrappedAt: at,
          },
        },
        {
          type: 'UserInvited',
          data: {
            userId: 'u-9',
            email: 'root@example.com',
            role: 'admin',
            invitationTokenHash: inviteHash,
            invitationExpiresAt: at,
            invitedAt: at,
          },
        },
        { type: 'InvitationAccepted', data: { userId: 'u-9', passwordHash: passwords[1], acceptedAt: at } },
        {
          type: 'EmailVerificationRequested',
          data: { userId: 'u-9', tokenHash: verifyHash, expiresAt: at, requestedAt: at },
        },
        { type: 'PasswordChanged', data: { userId: 'u-9', passwordHash: passwords[0], changedAt: at } },
        {
          type: 'ApiKeyIssued',
          data: {
            userId: 'u-9',
            keyId: 'k-1',
            name: 'CI',
            role: 'viewer',
            pipelineIds: null,
            keyHash,
            prefix: 'trb_Zq81',
            issuedAt: at,
          },
        },
      ]);
      const head = await bed.eventStore.headPosition();

      // When the relay publishes them
      const topic = uniqueTopic('relay-secrets');
      const relay = await bed.start(topic);
      const received = await bed.read(topic);
      await untilAll(received, head);

      // Then no byte of any record (key, value, headers) holds a hash or the key's prefix
      const users = received.filter(({ event }) => event.streamId === 'user-u-9');
      expect(users).toHaveLength(6);
      for (const { record } of users) {
        const bytes = Buffer.concat([
          record.key ?? Buffer.alloc(0),
          record.value,
          Buffer.from(JSON.stringify(record.headers)),
        ]);
        for (const secret of [...passwords, inviteHash, verifyHash, keyHash, 'trb_Zq81'])
          expect(bytes.includes(secret)).toBe(false);
      }
      // And the fields are still there, saying they were redacted
      const issued = users.find(({ event }) => event.type === 'ApiKeyIssued')!.event.data;
      expect(issued).toMatchObject({ keyId: 'k-1', keyHash: '[redacted]', prefix: '[redacted]' });
      await relay.stop();
    });

    it('lets one relay publish at a time; when it stops, the other takes over from its checkpoint with nothing lost', async () => {
      // Given two relays of one topic, the first slowed to a batch of 20 per 40 ms, and events to publish
      const topic = uniqueTopic('relay-leader');
      const publishers: string[] = [];
      const slowly = (who: string) => ({
        batchSize: 20,
        hooks: {
          before: async () => {
            publishers.push(who);
            await sleep(40);
          },
        },
      });
      const first = await bed.start(topic, slowly('first'));
      await waitFor(async () => first.isLeader(), WAIT_MS);
      const second = await bed.start(topic, slowly('second'));
      const head = await bed.append(600, 6, 'contested');

      // Then only the first publishes while it runs
      await waitFor(async () => first.relayedPosition() >= 200, WAIT_MS);
      expect([first.isLeader(), second.isLeader()]).toEqual([true, false]);
      expect(publishers).not.toContain('second');

      // When the first stops mid-stream
      await first.stop();
      const stoppedAt = await bed.checkpoint(topic);
      expect(stoppedAt).toBeLessThan(head);

      // Then the second takes over from that checkpoint and publishes the rest
      await waitFor(async () => second.relayedPosition() === head, WAIT_MS);
      expect(publishers.lastIndexOf('first')).toBeLessThan(publishers.indexOf('second'));
      const received = await bed.read(topic);
      await untilAll(received, head);
      await sleep(500);
      // And every event is there, each once: a clean stop hands over its checkpoint exactly
      expect(positionsOf(received).sort((a, b) => a - b)).toEqual(range(1, head));
      for (const positions of byStream(received).values()) expect(isIncreasing(positions)).toBe(true);
      await second.stop();
    });

    it("lets the standby take over when the leader's lock session dies, losing nothing", async () => {
      // Given two relays of one topic, the first leading slowly through many events
      const topic = uniqueTopic('relay-killed');
      const slowly = {
        batchSize: 20,
        hooks: {
          before: async () => {
            await sleep(40);
          },
        },
      };
      // (the first, once it lost its lock, waits long before trying again: the standby must take over)
      const first = await bed.start(topic, { ...slowly, standbyRetryMs: 60_000 });
      await waitFor(async () => first.isLeader(), WAIT_MS);
      const second = await bed.start(topic, slowly);
      const head = await bed.eventStore.headPosition();
      await waitFor(async () => first.relayedPosition() >= 100, WAIT_MS);

      // When the leader's lock session is killed (as when its process or host dies)
      const { rows } = await bed.pool.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
         AND classid::bigint = $1 AND objid::bigint = $2`,
        [LOCK_CLASS.leader, projectionLockKey(bed.schema, `relay:${topic}`)],
      );
      expect(rows).toHaveLength(1);
      await bed.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);

      // Then the standby leads within seconds, the first stands by, and every event arrives
      await waitFor(async () => second.isLeader(), 5_000);
      expect(first.isLeader()).toBe(false);
      await waitFor(async () => second.relayedPosition() === head, WAIT_MS);
      const received = await bed.read(topic);
      await untilAll(received, head);
      await Promise.all([first.stop(), second.stop()]);
    });

    it('reports its lag as head − relayed position, down to 0 when caught up', async () => {
      // Given a relay whose log holds every produce until released
      const topic = uniqueTopic('relay-lag');
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const relay = await bed.start(topic, { hooks: { before: () => released } });
      const before = await counter();

      // When 100 events are appended while the log holds the first batch
      const head = await bed.append(100, 2, 'lagging');
      const behind = head - relay.relayedPosition();

      // Then the gauge shows the whole distance
      await waitFor(async () => (await gauge()) === behind, WAIT_MS);

      // And once the log takes the batches, it comes down to 0, the counter up by what was published
      release();
      await waitFor(async () => relay.relayedPosition() === head, WAIT_MS);
      await waitFor(async () => (await gauge()) === 0, WAIT_MS);
      expect((await counter()) - before).toBe(behind);
      await relay.stop();
    });
  });
