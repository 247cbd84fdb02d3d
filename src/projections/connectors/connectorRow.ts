import type { ConnectionTestOutcome } from '../../domain/connectors/connector.js';
import type { ConnectorDirection, ConnectorKind } from '../../domain/connectors/connectorConfig.js';

/**
 * A row of the `connectors` read model. `config` has every secret masked (`maskSecrets`): the
 * encrypted values stay in the events, for the code that runs connectors.
 */
export interface ConnectorRow {
  id: string;
  name: string;
  direction: ConnectorDirection;
  kind: ConnectorKind;
  config: Record<string, unknown>;
  config_version: number;
  last_test_outcome: ConnectionTestOutcome | null;
  last_test_message: string | null;
  last_tested_at: Date | null;
  deleted: boolean;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
  last_position: number;
}

export const CONNECTOR_COLUMNS = [
  'id',
  'name',
  'direction',
  'kind',
  'config',
  'config_version',
  'last_test_outcome',
  'last_test_message',
  'last_tested_at',
  'deleted',
  'deleted_at',
  'created_at',
  'updated_at',
  'last_position',
].join(', ');
