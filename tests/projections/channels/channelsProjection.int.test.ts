import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationChannelEvent } from '../../../src/domain/alerts/notificationChannel.js';
import type { NotificationDeliveryEvent } from '../../../src/domain/alerts/notificationDelivery.js';
import type { RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import {
  findChannel,
  listChannels,
  listDeliveries,
} from '../../../src/projections/channels/channelQueries.js';
import { toChannelView, toDeliveryView } from '../../../src/projections/channels/channelRow.js';
import { channelsProjection } from '../../../src/projections/channels/channelsProjection.js';
import { exampleSigningSecret } from '../../domain/alerts/notificationChannelExamples.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(channelsProjection);
beforeAll(bed.setUp);
afterAll(bed.tearDown);

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

const apply = async (events: readonly RecordedEvent[]) => {
  const client = await bed.pool.connect();
  try {
    await client.query('BEGIN');
    await channelsProjection.apply(client, events);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
};

const channelEvents = (id: string, events: NotificationChannelEvent[]) =>
  bed.record(`notificationchannel-${id}`, events);
const deliveryEvents = (id: string, events: NotificationDeliveryEvent[]) =>
  bed.record(`delivery-${id}`, events);

describe('channels read models', () => {
  it('keeps a channel without its secret, updated and deleted, the same when delivered twice', async () => {
    const events = channelEvents('ch-1', [
      {
        type: 'NotificationChannelCreated',
        data: {
          channelId: 'ch-1',
          kind: 'webhook',
          name: 'Hook',
          url: 'https://hooks.example.com/a',
          headers: { 'X-Team': 'data' },
          signingSecret: exampleSigningSecret,
          createdAt: T(0),
        },
      },
      {
        type: 'NotificationChannelUpdated',
        data: {
          channelId: 'ch-1',
          kind: 'webhook',
          name: 'Hook v2',
          url: 'https://hooks.example.com/b',
          headers: {},
          signingSecret: exampleSigningSecret,
          updatedAt: T(1),
        },
      },
    ]);
    await apply(events);
    await apply(events);

    const row = (await findChannel(bed.pool, 'ch-1'))!;
    expect(JSON.stringify(row)).not.toContain(exampleSigningSecret.ciphertext);
    expect(toChannelView(row)).toMatchObject({
      name: 'Hook v2',
      kind: 'webhook',
      webhook: { url: 'https://hooks.example.com/b', headers: [], signingSecret: '********' },
      email: null,
      deleted: false,
      position: String(events[1]!.position),
    });

    await apply(
      channelEvents('ch-1', [
        { type: 'NotificationChannelDeleted', data: { channelId: 'ch-1', deletedAt: T(2) } },
      ]),
    );
    expect(await listChannels(bed.pool, {})).toEqual([]);
    expect((await listChannels(bed.pool, { includeDeleted: true })).map((c) => [c.name, c.deleted])).toEqual([
      ['Hook v2', true],
    ]);
  });

  it('keeps one row per delivery with its attempts, last answer and outcome, the same when delivered twice', async () => {
    const subject = { deliveryId: 'd-1', channelId: 'ch-1', alertId: 'al-1', trigger: 'AlertFired' };
    const attempt = (n: number, statusCode: number) => ({
      type: 'NotificationDeliveryAttempted' as const,
      data: {
        ...subject,
        attempt: n,
        succeeded: statusCode === 200,
        statusCode,
        error: statusCode === 200 ? null : `answered ${statusCode}`,
        attemptedAt: T(n),
      },
    });
    const events = deliveryEvents('d-1', [
      attempt(1, 500),
      attempt(2, 502),
      { type: 'NotificationFailed', data: { ...subject, attempts: 2, reason: 'gave up', failedAt: T(3) } },
    ]);
    await apply(events.slice(0, 2));
    expect((await listDeliveries(bed.pool, { alertId: 'al-1' })).map(toDeliveryView)).toMatchObject([
      { status: 'pending', attempts: 2, lastStatusCode: 502, lastError: 'answered 502', reason: null },
    ]);
    await apply(events);
    await apply(events);

    expect((await listDeliveries(bed.pool, { channelId: 'ch-1' })).map(toDeliveryView)).toEqual([
      {
        id: 'd-1',
        channelId: 'ch-1',
        alertId: 'al-1',
        trigger: 'AlertFired',
        status: 'failed',
        attempts: 2,
        lastStatusCode: 502,
        lastError: 'answered 502',
        reason: 'gave up',
        createdAt: T(1),
        updatedAt: T(3),
        position: String(events[2]!.position),
      },
    ]);
  });
});
