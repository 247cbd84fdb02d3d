import type { SecretCipher } from '../../infra/crypto/secretCipher.js';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import { loadConnectorState } from './loadConnectorState.js';
import { createPostgresTableSink, type PostgresTableSink } from './postgresTableSink.js';

export interface ConnectorSinkServices {
  eventStore?: EventStore | undefined;
  /** Decrypts the connector's connection string; the platform's, from SECRETS_KEYS. */
  secretCipher?: SecretCipher | null | undefined;
}

/**
 * The sink a version's `sink.connectorId` names, opened for a version that ends in an aggregate
 * step. Only `postgres-table` sinks are written so far; any other (or a connector that is gone)
 * stops the version from starting with a message saying which and why, and the run fails with it.
 */
export const openConnectorSink = async (
  services: ConnectorSinkServices,
  connectorId: string,
): Promise<PostgresTableSink> => {
  if (!services.eventStore) throw new Error('connector sinks need the event store: none was given');
  const connector = await loadConnectorState(services.eventStore, connectorId);
  if (connector.status !== 'active')
    throw new Error(`the sink connector "${connectorId}" does not exist (or was deleted)`);
  if (connector.direction !== 'sink' || connector.kind !== 'postgres-table')
    throw new Error(
      `the sink connector "${connector.name}" is a ${connector.direction} of kind ${connector.kind}; only postgres-table sinks can be written so far`,
    );
  if (!services.secretCipher)
    throw new Error("the sink connector's connection string is encrypted, and SECRETS_KEYS is not set");
  return createPostgresTableSink({ config: connector.config, cipher: services.secretCipher });
};
