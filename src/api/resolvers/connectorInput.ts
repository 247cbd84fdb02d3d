import type { ConnectorDirection, ConnectorKind } from '../../domain/connectors/connectorConfig.js';
import { isKeepSecret, secretPathsOf, valueAt } from '../../domain/connectors/connectorSecrets.js';
import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import { encryptSecretFields } from '../../infra/crypto/encryptSecretFields.js';
import type { SecretCipher } from '../../infra/crypto/secretCipher.js';
import type { ConnectorSortField } from '../../projections/connectors/connectorQueries.js';
import type { SortDirection } from '../../projections/keysetPage.js';

/** GraphQL enum values cannot hold "-": `kafka_topic` in the API is `kafka-topic` in the domain. */
export type GraphQLConnectorKind =
  | 'kafka_topic'
  | 'http_poll'
  | 'postgres_query'
  | 'file_upload'
  | 'webhook_ingest'
  | 'postgres_table'
  | 'webhook';

export const toDomainKind = (kind: GraphQLConnectorKind): ConnectorKind =>
  kind.replaceAll('_', '-') as ConnectorKind;

export const toGraphQLKind = (kind: ConnectorKind): GraphQLConnectorKind =>
  kind.replaceAll('-', '_') as GraphQLConnectorKind;

export interface CreateConnectorInput {
  name: string;
  direction: ConnectorDirection;
  kind: GraphQLConnectorKind;
  config: unknown;
}

export interface ConnectorsArgs {
  first?: number | null;
  after?: string | null;
  filter?: {
    kind?: GraphQLConnectorKind | null;
    direction?: ConnectorDirection | null;
    includeDeleted?: boolean | null;
  } | null;
  orderBy?: { field?: 'CREATED_AT' | 'NAME' | null; direction?: 'ASC' | 'DESC' | null } | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `config` as a command takes it: each secret field of the kind encrypted with the cipher.
 * From the API a secret field holds the secret as text, or `{ keep: true }` to keep the stored
 * one; anything else there is refused, so no client can plant a ciphertext of its own making.
 * With text to encrypt and no cipher, SECRETS_NOT_CONFIGURED names the fields.
 */
export const encryptConnectorSecrets = (
  kind: ConnectorKind,
  config: unknown,
  cipher: SecretCipher | null,
): unknown => {
  if (!isRecord(config)) return config;
  const paths = secretPathsOf(kind, config);
  const toEncrypt = paths.filter((path) => typeof valueAt(config, path) === 'string');
  const malformed = paths.filter((path) => {
    const value = valueAt(config, path);
    return typeof value !== 'string' && !isKeepSecret(value);
  });
  if (malformed.length > 0) {
    throw new ValidationError(
      malformed.map((path) => ({
        path: `config.${path}`,
        message: 'is a secret: give it as text, or as { "keep": true } to keep the stored one',
      })),
    );
  }
  if (toEncrypt.length === 0) return config;
  if (cipher === null) {
    const problems: FieldProblem[] = toEncrypt.map((path) => ({
      path: `config.${path}`,
      message: 'is a secret, and no key is configured to encrypt it (SECRETS_KEYS)',
    }));
    throw new TributaryError('SECRETS_NOT_CONFIGURED', { problems });
  }
  return encryptSecretFields(config, toEncrypt, cipher);
};

export const connectorOrder = (orderBy: ConnectorsArgs['orderBy']) => {
  const field: ConnectorSortField = orderBy?.field === 'NAME' ? 'name' : 'createdAt';
  const direction: SortDirection = orderBy?.direction === 'DESC' ? 'desc' : 'asc';
  return { field, direction, ordering: `connectors:${field}:${direction}` };
};
