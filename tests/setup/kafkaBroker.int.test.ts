import { Redis } from 'ioredis';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestSchema, dropTestSchema, testServices, uniqueTopic } from './testServices.js';

describe('test services', () => {
  const services = testServices();

  it('delivers keyed messages through the Kafka broker to a consumer group in the order they were sent', async () => {
    const kafka = new Kafka({ brokers: services.kafkaBrokers, logLevel: logLevel.WARN });
    const topic = uniqueTopic('round-trip');
    const admin = kafka.admin();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({
        topic,
        messages: [
          { key: 'a', value: 'first' },
          { key: 'b', value: 'second' },
          { key: 'a', value: 'third' },
        ],
      });

      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: [string, string][] = [];
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            received.push([String(message.key), String(message.value)]);
            if (received.length === 3) resolve();
          },
        });
      });

      expect(received).toEqual([
        ['a', 'first'],
        ['b', 'second'],
        ['a', 'third'],
      ]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });

  it('reaches Redis and PostgreSQL through the provided URLs', async () => {
    const redis = new Redis(services.redisUrl);
    const client = new pg.Client({ connectionString: services.databaseUrl });
    try {
      expect(await redis.ping()).toBe('PONG');
      await client.connect();
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      redis.disconnect();
      await client.end();
    }
  });

  it('drops a test schema, with its tables, that was created under a generated name', async () => {
    const schema = createTestSchema('Setup Check');
    const client = new pg.Client({ connectionString: services.databaseUrl });
    await client.connect();
    try {
      expect(schema).toMatch(/^t_setup_check_[0-9a-f]{8}$/);
      await client.query(`create schema ${schema}; create table ${schema}.rows (id int)`);

      await dropTestSchema(services.databaseUrl, schema);

      const found = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
      expect(found.rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });
});
