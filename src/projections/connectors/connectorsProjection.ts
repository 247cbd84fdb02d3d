import type pg from 'pg';
import type { ConnectorEvent } from '../../domain/connectors/connector.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { Projection } from '../projection.js';
import { maskSecrets } from './maskSecrets.js';

type Recorded<Type extends ConnectorEvent['type']> = RecordedEvent<
  Type,
  Extract<ConnectorEvent, { type: Type }>['data']
>;
type Apply<Type extends ConnectorEvent['type']> = (
  client: pg.ClientBase,
  event: Recorded<Type>,
) => Promise<unknown>;

/**
 * Changes the connector's row as of `event`, `set` using parameters from $4. The position guard
 * makes a second delivery a no-op, and keeps an older event from overwriting a newer one.
 */
const updateConnector = (
  client: pg.ClientBase,
  event: RecordedEvent<string, { connectorId: string }>,
  at: string,
  set: string,
  params: unknown[] = [],
) =>
  client.query(
    `UPDATE connectors SET ${set}, updated_at = $3, last_position = $2
     WHERE id = $1 AND last_position < $2`,
    [event.data.connectorId, event.position, at, ...params],
  );

/** One handler per event type: a new connector event does not compile until it is handled here. */
const handlers: { [Type in ConnectorEvent['type']]: Apply<Type> } = {
  ConnectorCreated: (client, { data, position }) =>
    client.query(
      `INSERT INTO connectors (id, name, direction, kind, config, config_version, created_at, updated_at,
                               last_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
       ON CONFLICT (id) DO NOTHING`,
      [
        data.connectorId,
        data.name,
        data.direction,
        data.kind,
        JSON.stringify(maskSecrets(data.kind, data.config)),
        data.configVersion,
        data.createdAt,
        position,
      ],
    ),
  // As in the decider, a new config has not been tested yet.
  ConnectorConfigUpdated: (client, event) =>
    updateConnector(
      client,
      event,
      event.data.updatedAt,
      `config = $4, config_version = $5,
       last_test_outcome = NULL, last_test_message = NULL, last_tested_at = NULL`,
      [JSON.stringify(maskSecrets(event.data.kind, event.data.config)), event.data.configVersion],
    ),
  ConnectionTested: (client, event) =>
    updateConnector(
      client,
      event,
      event.data.testedAt,
      'last_test_outcome = $4, last_test_message = $5, last_tested_at = $3',
      [event.data.outcome, event.data.message],
    ),
  // The row stays, flagged, so the connector can still be looked up by id (and audited).
  ConnectorDeleted: (client, event) =>
    updateConnector(client, event, event.data.deletedAt, 'deleted = true, deleted_at = $3'),
};

const isConnectorEvent = (event: RecordedEvent): event is Recorded<ConnectorEvent['type']> =>
  Object.hasOwn(handlers, event.type);

/**
 * The `connectors` read model: every connector with its config (secrets masked), its config
 * version, the last test of that config, and whether it was deleted.
 */
export const connectorsProjection: Projection = {
  name: 'connectors',
  tables: ['connectors'],
  migrations: [
    {
      id: 'connectors-001-table',
      sql: `CREATE TABLE connectors (
              id text PRIMARY KEY,
              name text NOT NULL,
              direction text NOT NULL,
              kind text NOT NULL,
              config jsonb NOT NULL,
              config_version int NOT NULL,
              last_test_outcome text,
              last_test_message text,
              last_tested_at timestamptz,
              deleted boolean NOT NULL DEFAULT false,
              deleted_at timestamptz,
              created_at timestamptz NOT NULL,
              updated_at timestamptz NOT NULL,
              last_position bigint NOT NULL
            );
            CREATE INDEX connectors_created_at ON connectors (created_at, id);
            CREATE INDEX connectors_name ON connectors (name, id);`,
    },
  ],
  async apply(client, events) {
    for (const event of events) {
      if (!isConnectorEvent(event)) continue;
      // The table above pairs each type with its handler; TypeScript cannot follow that through an index.
      await (handlers[event.type] as Apply<ConnectorEvent['type']>)(client, event);
    }
    return [];
  },
};
