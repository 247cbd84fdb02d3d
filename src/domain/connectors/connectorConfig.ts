import type { EncryptedSecret } from '../encryptedSecret.js';

export const CONNECTOR_DIRECTIONS = ['source', 'sink'] as const;
export const SOURCE_KINDS = [
  'kafka-topic',
  'http-poll',
  'postgres-query',
  'file-upload',
  'webhook-ingest',
] as const;
export const SINK_KINDS = ['kafka-topic', 'postgres-table', 'webhook'] as const;

export type ConnectorDirection = (typeof CONNECTOR_DIRECTIONS)[number];
export type SourceKind = (typeof SOURCE_KINDS)[number];
export type SinkKind = (typeof SINK_KINDS)[number];
export type ConnectorKind = SourceKind | SinkKind;

/**
 * In an update, a secret field may hold `{ keep: true }` to keep the stored secret: secrets are
 * never shown, so a user changing a URL cannot be asked to type the password again.
 */
export interface KeepSecret {
  keep: true;
}

/** Reads (as a source) or writes (as a sink) a Kafka topic. */
export interface KafkaTopicConfig<Secret = EncryptedSecret> {
  topic: string;
  format: 'json' | 'avro';
  /** Bootstrap brokers (`host:port`) of another cluster; left out, the platform's own. */
  brokers?: string[];
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: Secret };
}

/** Header values may be encrypted; `Authorization`-like headers must be (see connectorSecrets). */
export type HttpHeaders<Secret = EncryptedSecret> = Record<string, string | Secret>;

/** Fetches a JSON document every `intervalSeconds` and reads records from `recordsPath`. */
export interface HttpPollConfig<Secret = EncryptedSecret> {
  url: string;
  method?: 'GET' | 'POST';
  headers?: HttpHeaders<Secret>;
  /** Sent with POST only. */
  body?: string;
  intervalSeconds: number;
  /** Dotted path to the list of records in the response, such as `data.items`; left out, the root. */
  recordsPath?: string;
}

/** Runs a read-only query every `intervalSeconds`; each row is a record. */
export interface PostgresQueryConfig<Secret = EncryptedSecret> {
  connectionString: Secret;
  query: string;
  intervalSeconds: number;
}

export interface FileUploadConfig {
  format: 'csv' | 'json' | 'ndjson';
  /** CSV only; a comma when left out. */
  delimiter?: string;
  /** CSV only; true when left out. */
  hasHeader?: boolean;
}

/** Records POSTed to the platform; with `signingSecret`, only requests signed with it (HMAC). */
export interface WebhookIngestConfig<Secret = EncryptedSecret> {
  format: 'json' | 'ndjson';
  signingSecret?: Secret;
}

/** Upserts records into a table by `keyColumns`. */
export interface PostgresTableConfig<Secret = EncryptedSecret> {
  connectionString: Secret;
  table: string;
  keyColumns: string[];
}

/** Sends each record to a URL; with `signingSecret`, each request carries an HMAC signature. */
export interface WebhookConfig<Secret = EncryptedSecret> {
  url: string;
  method?: 'POST' | 'PUT';
  headers?: HttpHeaders<Secret>;
  signingSecret?: Secret;
}

/** What a connector is: its direction, a kind valid for that direction, and that kind's config. */
export type ConnectorSpec<Secret = EncryptedSecret> =
  | { direction: 'source'; kind: 'kafka-topic'; config: KafkaTopicConfig<Secret> }
  | { direction: 'source'; kind: 'http-poll'; config: HttpPollConfig<Secret> }
  | { direction: 'source'; kind: 'postgres-query'; config: PostgresQueryConfig<Secret> }
  | { direction: 'source'; kind: 'file-upload'; config: FileUploadConfig }
  | { direction: 'source'; kind: 'webhook-ingest'; config: WebhookIngestConfig<Secret> }
  | { direction: 'sink'; kind: 'kafka-topic'; config: KafkaTopicConfig<Secret> }
  | { direction: 'sink'; kind: 'postgres-table'; config: PostgresTableConfig<Secret> }
  | { direction: 'sink'; kind: 'webhook'; config: WebhookConfig<Secret> };

export type ConnectorConfig<Secret = EncryptedSecret> = ConnectorSpec<Secret>['config'];
