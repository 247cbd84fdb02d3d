import { describe, expect, it } from 'vitest';
import {
  type ConnectorCommand,
  type ConnectorEvent,
  connectorDecider,
  connectorStreamId,
} from '../../../src/domain/connectors/connector.js';
import type { ConnectorSpec, KafkaTopicConfig } from '../../../src/domain/connectors/connectorConfig.js';
import type { EncryptedSecret } from '../../../src/domain/encryptedSecret.js';
import { given } from '../deciderSpec.js';

const connectorId = 'c-1';
const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T00:00:00.000Z';

/** A well-formed ciphertext; its content is never read by the domain. */
const encrypted = (ciphertext = 'c2VjcmV0'): EncryptedSecret => ({
  alg: 'AES-256-GCM',
  keyId: 'k1',
  iv: 'AAECAwQFBgcICQoL',
  tag: 'AAECAwQFBgcICQoLDA0ODw==',
  ciphertext,
});

const kafkaConfig: KafkaTopicConfig = {
  topic: 'orders.raw',
  format: 'json',
  brokers: ['kafka-1.example.com:9092'],
  sasl: { mechanism: 'scram-sha-512', username: 'tributary', password: encrypted() },
};
const kafkaSource: ConnectorSpec = { direction: 'source', kind: 'kafka-topic', config: kafkaConfig };

/** A spec as it may arrive from outside: any shape, checked by the decider. */
const spec = (direction: string, kind: string, config: unknown) =>
  ({ direction, kind, config }) as ConnectorSpec;

const create = (connector: ConnectorSpec = kafkaSource, name = 'Orders'): ConnectorCommand => ({
  type: 'CreateConnector',
  data: { connectorId, name, createdAt: T0, ...connector },
});
const update = (config: unknown): ConnectorCommand =>
  ({ type: 'UpdateConnectorConfig', data: { connectorId, config, updatedAt: T1 } }) as ConnectorCommand;
const test = (
  configVersion: number,
  outcome: 'ok' | 'failed' = 'ok',
  message = 'connected',
): ConnectorCommand => ({
  type: 'RecordConnectionTest',
  data: { connectorId, configVersion, outcome, message, testedAt: T1 },
});
const remove: ConnectorCommand = { type: 'DeleteConnector', data: { connectorId, deletedAt: T1 } };

const created = (connector: ConnectorSpec = kafkaSource): ConnectorEvent => ({
  type: 'ConnectorCreated',
  data: { connectorId, name: 'Orders', configVersion: 1, createdAt: T0, ...connector },
});
const updated = (config: KafkaTopicConfig, configVersion = 2): ConnectorEvent => ({
  type: 'ConnectorConfigUpdated',
  data: { connectorId, configVersion, updatedAt: T1, direction: 'source', kind: 'kafka-topic', config },
});
const tested = (configVersion: number, message = 'connected'): ConnectorEvent => ({
  type: 'ConnectionTested',
  data: { connectorId, configVersion, outcome: 'ok', message, testedAt: T1 },
});
const deleted: ConnectorEvent = { type: 'ConnectorDeleted', data: { connectorId, deletedAt: T1 } };

const rejects = (connector: ConnectorSpec, paths: string[]) =>
  given(connectorDecider, []).when(create(connector)).thenThrows('VALIDATION_FAILED', paths);

describe('connector decider: CreateConnector', () => {
  it('creates a connector at config version 1, with the name trimmed', () => {
    given(connectorDecider, []).when(create(kafkaSource, '  Orders ')).thenEvents([created()]);
  });

  it('creates every kind of source and sink from a minimal config', () => {
    const minimal = [
      spec('source', 'kafka-topic', { topic: 'in', format: 'avro' }),
      spec('source', 'http-poll', { url: 'https://api.example.com/orders', intervalSeconds: 60 }),
      spec('source', 'postgres-query', {
        connectionString: encrypted(),
        query: 'select * from orders',
        intervalSeconds: 300,
      }),
      spec('source', 'file-upload', { format: 'csv', delimiter: ';', hasHeader: false }),
      spec('source', 'webhook-ingest', { format: 'ndjson' }),
      spec('sink', 'kafka-topic', { topic: 'out', format: 'json' }),
      spec('sink', 'postgres-table', {
        connectionString: encrypted(),
        table: 'sales.orders',
        keyColumns: ['id'],
      }),
      spec('sink', 'webhook', {
        url: 'http://hooks.internal:8080/in',
        method: 'PUT',
        signingSecret: encrypted(),
      }),
    ];
    for (const connector of minimal) {
      given(connectorDecider, [])
        .when(create(connector))
        .thenEvents([created(connector)]);
    }
  });

  it('rejects a direction other than source or sink, and a kind the direction does not have', () => {
    rejects(spec('both', 'kafka-topic', kafkaConfig), ['direction']);
    rejects(spec('source', 'webhook', { url: 'https://example.com' }), ['kind']);
    rejects(spec('sink', 'http-poll', { url: 'https://example.com', intervalSeconds: 60 }), ['kind']);
  });

  it('rejects a config that is not an object', () => {
    rejects(spec('source', 'kafka-topic', 'orders.raw'), ['config']);
    rejects(spec('source', 'kafka-topic', null), ['config']);
  });

  it('rejects an empty name or one over 100 characters, before the config problems', () => {
    for (const name of ['', '  ', 'x'.repeat(101)]) {
      given(connectorDecider, []).when(create(kafkaSource, name)).thenThrows('VALIDATION_FAILED', ['name']);
    }
    given(connectorDecider, [])
      .when(create(spec('source', 'kafka-topic', { topic: '', format: 'json' }), ''))
      .thenThrows('VALIDATION_FAILED', ['name', 'config.topic']);
  });

  it('refuses an id in use, and the id of a deleted connector', () => {
    given(connectorDecider, [created()]).when(create()).thenThrows('CONNECTOR_ALREADY_EXISTS');
    given(connectorDecider, [created(), deleted]).when(create()).thenThrows('CONNECTOR_DELETED');
  });
});

describe('connector decider: secrets', () => {
  const plain = 'hunter2-plain-secret';

  it('refuses a plain string in a secret field, whatever the kind', () => {
    rejects(
      spec('source', 'kafka-topic', { ...kafkaConfig, sasl: { ...kafkaConfig.sasl, password: plain } }),
      ['config.sasl.password'],
    );
    rejects(
      spec('source', 'postgres-query', { connectionString: plain, query: 'select 1', intervalSeconds: 60 }),
      ['config.connectionString'],
    );
    rejects(spec('sink', 'postgres-table', { connectionString: plain, table: 't', keyColumns: ['id'] }), [
      'config.connectionString',
    ]);
    rejects(spec('source', 'webhook-ingest', { format: 'json', signingSecret: plain }), [
      'config.signingSecret',
    ]);
    rejects(spec('sink', 'webhook', { url: 'https://example.com', signingSecret: plain }), [
      'config.signingSecret',
    ]);
  });

  it('refuses credentials in plain header values, whatever their case, and allows other plain headers', () => {
    const poll = (headers: Record<string, unknown>) =>
      spec('source', 'http-poll', { url: 'https://example.com', intervalSeconds: 60, headers });
    rejects(poll({ Authorization: `Bearer ${plain}` }), ['config.headers.Authorization']);
    rejects(poll({ authorization: plain, 'X-Api-Key': plain, Cookie: plain }), [
      'config.headers.authorization',
      'config.headers.X-Api-Key',
      'config.headers.Cookie',
    ]);
    rejects(
      spec('sink', 'webhook', { url: 'https://example.com', headers: { 'Proxy-Authorization': plain } }),
      ['config.headers.Proxy-Authorization'],
    );
    const accepted = poll({
      Authorization: encrypted(),
      Accept: 'application/json',
      'X-Tenant': encrypted(),
    });
    given(connectorDecider, [])
      .when(create(accepted))
      .thenEvents([created(accepted)]);
  });

  it('never repeats a refused secret in the error', () => {
    const command = create(
      spec('source', 'postgres-query', { connectionString: plain, query: 'select 1', intervalSeconds: 60 }),
    );
    expect(() => connectorDecider.decide(command, { status: 'none' })).toThrow(
      /config\.connectionString: is a secret/,
    );
    expect(() => connectorDecider.decide(command, { status: 'none' })).not.toThrow(new RegExp(plain));
  });

  it('refuses a secret that is not a well-formed AES-256-GCM ciphertext', () => {
    const withPassword = (password: unknown) =>
      spec('source', 'kafka-topic', { ...kafkaConfig, sasl: { ...kafkaConfig.sasl, password } });
    for (const password of [
      { ...encrypted(), alg: 'AES-128-CBC' },
      { ...encrypted(), iv: 'AAEC' },
      { ...encrypted(), tag: 'not base64!' },
      { ...encrypted(), keyId: '' },
      { ...encrypted(), plaintext: plain },
      42,
    ]) {
      rejects(withPassword(password), ['config.sasl.password']);
    }
  });

  it('refuses a URL carrying a user name or password, pointing to headers.Authorization instead', () => {
    rejects(spec('sink', 'webhook', { url: 'https://user:pass@example.com/hook' }), ['config.url']);
  });

  it('refuses settings the kind does not have, so nothing slips in unchecked', () => {
    rejects(spec('source', 'kafka-topic', { ...kafkaConfig, pasword: plain }), ['config.pasword']);
    rejects(spec('source', 'kafka-topic', { ...kafkaConfig, sasl: { ...kafkaConfig.sasl, token: plain } }), [
      'config.sasl.token',
    ]);
  });
});

describe('connector decider: config checks per kind', () => {
  it('checks a Kafka topic: name, format, brokers and SASL', () => {
    rejects(
      spec('source', 'kafka-topic', {
        topic: 'has space',
        format: 'xml',
        brokers: ['kafka:9092', 'no-port', 'kafka:99999'],
        sasl: { mechanism: 'gssapi', username: '', password: encrypted() },
      }),
      [
        'config.topic',
        'config.format',
        'config.brokers[1]',
        'config.brokers[2]',
        'config.sasl.mechanism',
        'config.sasl.username',
      ],
    );
    rejects(spec('sink', 'kafka-topic', { topic: '..', format: 'json', brokers: [] }), [
      'config.topic',
      'config.brokers',
    ]);
  });

  it('checks an HTTP poll: an http(s) URL, method, interval from 10 s to a day, body with POST, records path', () => {
    const poll = (config: Record<string, unknown>) =>
      spec('source', 'http-poll', { url: 'https://example.com', intervalSeconds: 60, ...config });
    for (const url of [
      'ftp://example.com/data',
      'not a url',
      'file:///etc/passwd',
      `https://x.io/${'a'.repeat(2040)}`,
    ]) {
      rejects(poll({ url }), ['config.url']);
    }
    for (const intervalSeconds of [9, 86_401, 1.5, '60', undefined]) {
      rejects(poll({ intervalSeconds }), ['config.intervalSeconds']);
    }
    rejects(poll({ method: 'DELETE' }), ['config.method']);
    rejects(poll({ body: '{}' }), ['config.body']);
    rejects(poll({ recordsPath: 'data..items' }), ['config.recordsPath']);
    const post = poll({ method: 'POST', body: '{"page":1}', recordsPath: 'data.items', intervalSeconds: 10 });
    given(connectorDecider, [])
      .when(create(post))
      .thenEvents([created(post)]);
  });

  it('checks header names and values', () => {
    const poll = (headers: unknown) =>
      spec('source', 'http-poll', { url: 'https://example.com', intervalSeconds: 60, headers });
    rejects(poll(['Accept']), ['config.headers']);
    rejects(poll({ 'Bad Name': 'x' }), ['config.headers']);
    rejects(poll({ Accept: 42 }), ['config.headers.Accept']);
    rejects(poll({ Accept: 'a', accept: 'b' }), ['config.headers.accept']);
  });

  it('checks a PostgreSQL query source: a query that reads and its interval', () => {
    const query = (config: Record<string, unknown>) =>
      spec('source', 'postgres-query', {
        connectionString: encrypted(),
        query: 'SELECT 1',
        intervalSeconds: 60,
        ...config,
      });
    rejects(query({ query: '   ' }), ['config.query']);
    rejects(query({ query: 'delete from orders' }), ['config.query']);
    rejects(query({ intervalSeconds: 0 }), ['config.intervalSeconds']);
    const cte = query({ query: '  WITH recent AS (SELECT 1) SELECT * FROM recent' });
    given(connectorDecider, [])
      .when(create(cte))
      .thenEvents([created(cte)]);
  });

  it('checks a file upload: format, and delimiter and header for CSV only', () => {
    rejects(spec('source', 'file-upload', { format: 'xlsx' }), ['config.format']);
    rejects(spec('source', 'file-upload', { format: 'csv', delimiter: ',,', hasHeader: 'yes' }), [
      'config.delimiter',
      'config.hasHeader',
    ]);
    rejects(spec('source', 'file-upload', { format: 'json', delimiter: ';', hasHeader: true }), [
      'config.delimiter',
      'config.hasHeader',
    ]);
  });

  it('checks a webhook ingest format', () => {
    rejects(spec('source', 'webhook-ingest', { format: 'csv' }), ['config.format']);
  });

  it('checks a PostgreSQL table sink: table name and key columns', () => {
    const table = (config: Record<string, unknown>) =>
      spec('sink', 'postgres-table', {
        connectionString: encrypted(),
        table: 'orders',
        keyColumns: ['id'],
        ...config,
      });
    rejects(table({ table: 'a.b.c' }), ['config.table']);
    rejects(table({ table: 'orders; drop table x' }), ['config.table']);
    rejects(table({ keyColumns: [] }), ['config.keyColumns']);
    rejects(table({ keyColumns: ['id', '1st', 'id'] }), ['config.keyColumns[1]', 'config.keyColumns[2]']);
  });

  it('checks a webhook sink: URL and method', () => {
    rejects(spec('sink', 'webhook', { url: 'https://example.com', method: 'GET' }), ['config.method']);
    rejects(spec('sink', 'webhook', {}), ['config.url']);
  });
});

describe('connector decider: UpdateConnectorConfig', () => {
  const newConfig: KafkaTopicConfig = {
    ...kafkaConfig,
    topic: 'orders.v2',
    sasl: { ...kafkaConfig.sasl!, password: encrypted('bmV3') },
  };

  it('replaces the config and moves to the next config version, naming direction and kind', () => {
    given(connectorDecider, [created()])
      .when(update(newConfig))
      .thenEvents([updated(newConfig)]);
    given(connectorDecider, [created(), updated(newConfig)])
      .when(update(kafkaConfig))
      .thenEvents([updated(kafkaConfig, 3)]);
  });

  it('keeps a stored secret where the update says { keep: true }', () => {
    const keeping = { ...newConfig, sasl: { ...newConfig.sasl, password: { keep: true } } };
    given(connectorDecider, [created()])
      .when(update(keeping))
      .thenEvents([updated({ ...newConfig, sasl: { ...newConfig.sasl!, password: encrypted() } })]);
  });

  it('refuses to keep a secret that was never stored', () => {
    const keeping = {
      topic: 'in',
      format: 'json',
      sasl: { mechanism: 'plain', username: 'u', password: { keep: true } },
    };
    given(connectorDecider, [created(spec('source', 'kafka-topic', { topic: 'in', format: 'json' }))])
      .when(update(keeping))
      .thenThrows('VALIDATION_FAILED', ['config.sasl.password']);
    const keepingHeader = {
      url: 'https://example.com',
      intervalSeconds: 60,
      headers: { Authorization: { keep: true } },
    };
    given(connectorDecider, [
      created(spec('source', 'http-poll', { url: 'https://example.com', intervalSeconds: 60 })),
    ])
      .when(update(keepingHeader))
      .thenThrows('VALIDATION_FAILED', ['config.headers.Authorization']);
  });

  it("checks the new config against the connector's kind, and refuses plain secrets", () => {
    given(connectorDecider, [created()])
      .when(update({ url: 'https://example.com', intervalSeconds: 60 }))
      .thenThrows('VALIDATION_FAILED', [
        'config.topic',
        'config.format',
        'config.url',
        'config.intervalSeconds',
      ]);
    given(connectorDecider, [created()])
      .when(update({ ...kafkaConfig, sasl: { ...kafkaConfig.sasl, password: 'plain' } }))
      .thenThrows('VALIDATION_FAILED', ['config.sasl.password']);
  });

  it('refuses an unknown or deleted connector', () => {
    given(connectorDecider, []).when(update(kafkaConfig)).thenThrows('CONNECTOR_NOT_FOUND');
    given(connectorDecider, [created(), deleted]).when(update(kafkaConfig)).thenThrows('CONNECTOR_DELETED');
  });
});

describe('connector decider: RecordConnectionTest', () => {
  it('records a passed or failed test of the current config', () => {
    given(connectorDecider, [created()])
      .when(test(1))
      .thenEvents([tested(1)]);
    given(connectorDecider, [created()])
      .when(test(1, 'failed', '  ECONNREFUSED 10.0.0.1:9092 '))
      .thenEvents([
        {
          type: 'ConnectionTested',
          data: {
            connectorId,
            configVersion: 1,
            outcome: 'failed',
            message: 'ECONNREFUSED 10.0.0.1:9092',
            testedAt: T1,
          },
        },
      ]);
  });

  it('cuts a long message to 1000 characters rather than losing the result', () => {
    given(connectorDecider, [created()])
      .when(test(1, 'ok', 'x'.repeat(5000)))
      .thenEvents([tested(1, 'x'.repeat(1000))]);
  });

  it('records nothing for a test of a config that has since changed', () => {
    given(connectorDecider, [created(), updated(kafkaConfig)])
      .when(test(1))
      .thenEvents([]);
  });

  it('rejects an outcome other than ok or failed', () => {
    given(connectorDecider, [created()])
      .when(test(1, 'maybe' as 'ok'))
      .thenThrows('VALIDATION_FAILED', ['outcome']);
  });

  it('keeps the last test of the current config and forgets it when the config changes', () => {
    given(connectorDecider, [created(), tested(1)]).thenState({
      status: 'active',
      connectorId,
      name: 'Orders',
      configVersion: 1,
      lastTest: { outcome: 'ok', message: 'connected', testedAt: T1 },
      ...kafkaSource,
    });
    given(connectorDecider, [created(), tested(1), updated(kafkaConfig)]).thenState({
      status: 'active',
      connectorId,
      name: 'Orders',
      configVersion: 2,
      lastTest: null,
      ...kafkaSource,
    });
  });

  it('refuses an unknown or deleted connector', () => {
    given(connectorDecider, []).when(test(1)).thenThrows('CONNECTOR_NOT_FOUND');
    given(connectorDecider, [created(), deleted]).when(test(1)).thenThrows('CONNECTOR_DELETED');
  });
});

describe('connector decider: DeleteConnector', () => {
  it('deletes a connector, keeping only its id', () => {
    given(connectorDecider, [created(), tested(1)])
      .when(remove)
      .thenEvents([deleted]);
    given(connectorDecider, [created(), deleted]).thenState({ status: 'deleted', connectorId });
  });

  it('refuses every command on a deleted connector, and deleting an unknown one', () => {
    for (const command of [create(), update(kafkaConfig), test(1), remove]) {
      given(connectorDecider, [created(), deleted]).when(command).thenThrows('CONNECTOR_DELETED');
    }
    given(connectorDecider, []).when(remove).thenThrows('CONNECTOR_NOT_FOUND');
  });
});

describe('connector decider: evolve and stream', () => {
  it('starts with no connector, and ignores changes that arrive before the creation', () => {
    given(connectorDecider, []).thenState({ status: 'none' });
    given(connectorDecider, [updated(kafkaConfig), tested(2)]).thenState({ status: 'none' });
  });

  it('names the stream connector-<id>', () => {
    expect(connectorStreamId('c-1')).toBe('connector-c-1');
  });
});
