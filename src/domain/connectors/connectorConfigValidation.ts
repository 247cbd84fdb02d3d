import type { FieldProblem } from '../../errors.js';
import {
  booleanValue,
  brokerList,
  headers,
  httpUrl,
  identifierList,
  isRecord,
  kafkaTopic,
  oneOf,
  onlyFields,
  optional,
  recordsPath,
  secret,
  tableName,
  text,
  wholeNumberBetween,
} from './configFieldChecks.js';
import {
  CONNECTOR_DIRECTIONS,
  type ConnectorDirection,
  type ConnectorKind,
  SINK_KINDS,
  SOURCE_KINDS,
} from './connectorConfig.js';

type Config = Record<string, unknown>;
type ConfigCheck = (config: Config) => FieldProblem[];

const KINDS: Record<ConnectorDirection, readonly string[]> = { source: SOURCE_KINDS, sink: SINK_KINDS };
const interval = wholeNumberBetween(10, 86_400, 'seconds');
const SELECT = /^\s*(select|with)\b/i;

/** Runs each check on its field of the config, then refuses fields no check named. */
const fields =
  (
    checks: Record<string, (value: unknown, path: string) => FieldProblem[]>,
    more?: ConfigCheck,
  ): ConfigCheck =>
  (config) => [
    ...Object.entries(checks).flatMap(([field, check]) => check(config[field], `config.${field}`)),
    ...(more?.(config) ?? []),
    ...onlyFields(config, Object.keys(checks), 'config'),
  ];

const kafkaTopicConfig = fields({
  topic: kafkaTopic,
  format: oneOf(['json', 'avro']),
  brokers: optional(brokerList),
  sasl: optional((sasl, path) =>
    isRecord(sasl)
      ? [
          ...oneOf(['plain', 'scram-sha-256', 'scram-sha-512'])(sasl.mechanism, `${path}.mechanism`),
          ...text(256)(sasl.username, `${path}.username`),
          ...secret(sasl.password, `${path}.password`),
          ...onlyFields(sasl, ['mechanism', 'username', 'password'], path),
        ]
      : [{ path, message: 'must be an object with mechanism, username and password' }],
  ),
});

const httpPollConfig = fields(
  {
    url: httpUrl,
    method: optional(oneOf(['GET', 'POST'])),
    headers: optional(headers),
    body: optional(text(65_536)),
    intervalSeconds: interval,
    recordsPath: optional(recordsPath),
  },
  (config) =>
    config.body !== undefined && config.method !== 'POST'
      ? [{ path: 'config.body', message: 'is sent with method POST only' }]
      : [],
);

const postgresQueryConfig = fields({
  connectionString: secret,
  query: (value, path) => {
    const problems = text(10_000)(value, path);
    if (problems.length > 0 || SELECT.test(value as string)) return problems;
    // A hint against mistakes, not a guard: the source runs the query in a read-only transaction.
    return [{ path, message: 'must be a query that reads: SELECT … or WITH … SELECT …' }];
  },
  intervalSeconds: interval,
});

const fileUploadConfig = fields(
  {
    format: oneOf(['csv', 'json', 'ndjson']),
    delimiter: optional((value, path) =>
      typeof value === 'string' && value.length === 1 && !'\r\n"'.includes(value)
        ? []
        : [{ path, message: 'must be one character, not a quote or a line break' }],
    ),
    hasHeader: optional(booleanValue),
  },
  (config) =>
    config.format === 'csv'
      ? []
      : (['delimiter', 'hasHeader'] as const)
          .filter((field) => config[field] !== undefined)
          .map((field) => ({ path: `config.${field}`, message: 'applies to the csv format only' })),
);

const webhookIngestConfig = fields({ format: oneOf(['json', 'ndjson']), signingSecret: optional(secret) });

const postgresTableConfig = fields({
  connectionString: secret,
  table: tableName,
  keyColumns: identifierList,
});

const webhookConfig = fields({
  url: httpUrl,
  method: optional(oneOf(['POST', 'PUT'])),
  headers: optional(headers),
  signingSecret: optional(secret),
});

const CONFIG_CHECKS: Record<ConnectorKind, ConfigCheck> = {
  'kafka-topic': kafkaTopicConfig,
  'http-poll': httpPollConfig,
  'postgres-query': postgresQueryConfig,
  'file-upload': fileUploadConfig,
  'webhook-ingest': webhookIngestConfig,
  'postgres-table': postgresTableConfig,
  webhook: webhookConfig,
};

/** Every problem of `config` for a connector of this kind; paths start with `config`. */
export const connectorConfigProblems = (kind: ConnectorKind, config: unknown): FieldProblem[] =>
  isRecord(config)
    ? CONFIG_CHECKS[kind](config)
    : [{ path: 'config', message: 'must be an object of settings' }];

/** Every problem of a connector's direction, kind and config, as they came from outside. */
export const connectorSpecProblems = (spec: { direction: unknown; kind: unknown; config: unknown }) => {
  const { direction, kind, config } = spec;
  if (!CONNECTOR_DIRECTIONS.includes(direction as ConnectorDirection)) {
    return [{ path: 'direction', message: `must be one of: ${CONNECTOR_DIRECTIONS.join(', ')}` }];
  }
  const kinds = KINDS[direction as ConnectorDirection];
  if (!kinds.includes(kind as string)) {
    return [{ path: 'kind', message: `must be one of: ${kinds.join(', ')} for a ${direction}` }];
  }
  return connectorConfigProblems(kind as ConnectorKind, config);
};
