import type { ConnectionTestOutcome } from '../../domain/connectors/connector.js';
import type { ConnectorDirection, ConnectorKind } from '../../domain/connectors/connectorConfig.js';
import type { ConnectorRow } from './connectorRow.js';

/** A connector as clients see it, plain JSON; the API's `Connector` type resolves from this shape. */
export interface ConnectorView {
  id: string;
  name: string;
  direction: ConnectorDirection;
  kind: ConnectorKind;
  /** Secrets masked. */
  config: Record<string, unknown>;
  configVersion: number;
  /** The last test of the current config; null until one is recorded, and again after a change. */
  lastTest: { outcome: ConnectionTestOutcome; message: string; testedAt: string } | null;
  deleted: boolean;
  deletedAt: string | null;
  createdAt: string;
  updatedAt: string;
  position: string;
}

export const toConnectorView = (row: ConnectorRow): ConnectorView => ({
  id: row.id,
  name: row.name,
  direction: row.direction,
  kind: row.kind,
  config: row.config,
  configVersion: row.config_version,
  lastTest:
    row.last_test_outcome && row.last_tested_at
      ? {
          outcome: row.last_test_outcome,
          message: row.last_test_message ?? '',
          testedAt: row.last_tested_at.toISOString(),
        }
      : null,
  deleted: row.deleted,
  deletedAt: row.deleted_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  position: String(row.last_position),
});
