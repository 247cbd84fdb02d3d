import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import {
  type NotificationChannelSettings,
  notificationChannelDecider,
  notificationChannelStreamId,
} from '../../../src/domain/alerts/notificationChannel.js';
import { notificationDeliveryStreamId } from '../../../src/domain/alerts/notificationDelivery.js';
import { createSecretCipher } from '../../../src/infra/crypto/secretCipher.js';
import type { EventStore } from '../../../src/infra/eventstore/eventStore.js';
import { handleCommand } from '../../../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import type { MailMessage, MailSender } from '../../../src/infra/mail/mailSender.js';
import { migrate } from '../../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { type NotifierServices, startNotifier } from '../../../src/processors/alerts/notifier.js';
import { startEventRelay } from '../../../src/processors/relay/eventRelay.js';
import { relayMigrations } from '../../../src/processors/relay/relayMigrations.js';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from '../../setup/testServices.js';
import { waitFor } from '../../setup/waitFor.js';

/** One request the test's webhook receiver took. */
export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on a free port: it answers each request with the next status of
 * `answers` (the last one repeats), and keeps what it received.
 */
export const webhookReceiver = async (answers: number[] = [200]) => {
  const received: ReceivedHook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = answers[Math.min(received.length, answers.length) - 1] ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/tributary`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** A MailSender that keeps what it is given: the port is ours, so a double of it is too. */
export const recordingMailSender = () => {
  const sent: MailMessage[] = [];
  const sender: MailSender = {
    async send(message) {
      sent.push(message);
    },
  };
  return { sender, sent };
};

/**
 * A schema with the event store and the relay, a topic of its own on the real broker, and
 * notifiers on it: what a processors process runs, minus the pipelines.
 */
export const notifierTestBed = async () => {
  const { databaseUrl, kafkaBrokers } = testServices();
  const schema = createTestSchema('notifier');
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 8 });
  await migrate(pool, schema, [...postgresEventStoreMigrations, ...relayMigrations]);
  const eventStore: EventStore = createPostgresEventStore({ pool, schema });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const log = createKafkaLog({ brokers: kafkaBrokers });
  const topic = uniqueTopic('notifier-events');
  await log.ensureTopic(topic);
  const relay = await startEventRelay({
    pool,
    schema,
    eventStore,
    log,
    logger,
    topic,
    batchSize: 100,
    standbyRetryMs: 100,
    tickMs: 50,
  });
  const cipher = createSecretCipher({ keys: { k1: randomBytes(32) }, activeKeyId: 'k1' });
  const mail = recordingMailSender();
  const groupId = `notifier-${randomUUID()}`;
  const stops: (() => Promise<void>)[] = [];

  const start = async (overrides: Partial<NotifierServices> = {}) => {
    const notifier = await startNotifier({
      eventStore,
      log,
      logger,
      secretCipher: cipher,
      mailSender: mail.sender,
      eventsTopic: topic,
      groupId,
      policy: { attempts: 5, initialBackoffMs: 50, timeoutMs: 2_000 },
      ...overrides,
    });
    stops.push(notifier.stop);
    return notifier;
  };

  const createChannel = async (
    settings:
      | Omit<Extract<NotificationChannelSettings, { kind: 'webhook' }>, 'signingSecret'>
      | Extract<NotificationChannelSettings, { kind: 'email' }>,
    signingSecret?: string,
  ) => {
    const channelId = randomUUID();
    const full = (
      settings.kind === 'webhook'
        ? { ...settings, signingSecret: cipher.encrypt(signingSecret ?? '') }
        : settings
    ) as NotificationChannelSettings;
    await handleCommand(
      eventStore,
      notificationChannelDecider,
      notificationChannelStreamId(channelId),
      {
        type: 'CreateNotificationChannel',
        data: { channelId, settings: full, createdAt: new Date().toISOString() },
      },
      { actor: 'u-1', occurredAt: new Date().toISOString() },
    );
    return channelId;
  };

  const deleteChannel = (channelId: string) =>
    handleCommand(
      eventStore,
      notificationChannelDecider,
      notificationChannelStreamId(channelId),
      { type: 'DeleteNotificationChannel', data: { channelId, deletedAt: new Date().toISOString() } },
      { actor: 'u-1', occurredAt: new Date().toISOString() },
    );

  /** A rule as its events record it; written directly, so the test does not depend on the rule's commands. */
  const createRule = async (channelIds: string[]) => {
    const ruleId = randomUUID();
    await eventStore.append(`alertrule-${ruleId}`, [
      {
        type: 'AlertRuleCreated',
        data: {
          ruleId,
          pipelineId: 'p-orders',
          name: 'Orders error rate',
          condition: { metric: 'errorRate', comparator: '>', threshold: 0.05, forSeconds: 60 },
          severity: 'critical',
          channelIds,
          createdAt: new Date().toISOString(),
        },
      },
    ]);
    return ruleId;
  };

  /** Appends alert events as the evaluator records them, and returns their ids. */
  const recordAlert = async (alertId: string, events: { type: string; data: Record<string, unknown> }[]) => {
    const { nextExpectedRevision } = await eventStore.append(
      `alert-${alertId}`,
      events.map((event) => ({ ...event, data: { alertId, ...event.data } })),
    );
    const stored = await eventStore.readStream(`alert-${alertId}`);
    return stored
      .filter((event) => event.revision > nextExpectedRevision - events.length)
      .map((event) => event.id);
  };

  const deliveryEvents = (deliveryId: string) =>
    eventStore.readStream(notificationDeliveryStreamId(deliveryId));

  /** The delivery's events once it has an outcome (delivered, failed or skipped). */
  const outcomeOf = (deliveryId: string) =>
    waitFor(async () => {
      const events = await deliveryEvents(deliveryId);
      return events.some((event) => event.type !== 'NotificationDeliveryAttempted') ? events : null;
    });

  return {
    eventStore,
    log,
    topic,
    groupId,
    cipher,
    mail,
    start,
    createChannel,
    deleteChannel,
    createRule,
    recordAlert,
    deliveryEvents,
    outcomeOf,
    close: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await relay.stop();
      await log.close();
      await eventStore.close();
      await pool.end();
      await dropTestSchema(databaseUrl, schema);
    },
  };
};
