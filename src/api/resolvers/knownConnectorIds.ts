import { connectorStreamId } from '../../domain/connectors/connector.js';
import { isConnectorReference, type PipelineDefinition } from '../../domain/pipelines/pipelineDefinition.js';
import type { EventStore } from '../../infra/eventstore/eventStore.js';

/**
 * Which of the connectors a definition names exist, for the domain to check its references.
 * Read from the event store, not the connectors read model: a connector created a moment ago
 * must be usable at once, and the read model may not have caught up. One read per connector
 * named (a definition names at most two): the stream's last event, which is ConnectorDeleted
 * once the connector is gone.
 */
export const knownConnectorIdsOf = async (
  eventStore: EventStore,
  definition: PipelineDefinition,
): Promise<string[]> => {
  const named = new Set<string>();
  for (const end of [definition.source, definition.sink]) {
    if (
      end &&
      isConnectorReference(end) &&
      typeof end.connectorId === 'string' &&
      end.connectorId.length > 0
    ) {
      named.add(end.connectorId);
    }
  }
  const known = await Promise.all(
    [...named].map(async (connectorId) => {
      const [last] = await eventStore.readStream(connectorStreamId(connectorId), {
        direction: 'backwards',
        maxCount: 1,
      });
      return last && last.type !== 'ConnectorDeleted' ? connectorId : null;
    }),
  );
  return known.filter((id): id is string => id !== null);
};
