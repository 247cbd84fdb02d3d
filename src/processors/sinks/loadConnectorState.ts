import {
  type ConnectorEvent,
  type ConnectorState,
  connectorDecider,
  connectorStreamId,
} from '../../domain/connectors/connector.js';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';

/**
 * A connector as its stream says now, secrets still encrypted: the read model masks them, and
 * what writes to a connector's system (a sink) or reads its data (series) needs them.
 */
export const loadConnectorState = async (
  eventStore: EventStore,
  connectorId: string,
): Promise<ConnectorState> =>
  (await eventStore.readStream(connectorStreamId(connectorId)))
    .map(upcastEvent)
    .reduce(
      (state, event) => connectorDecider.evolve(state, event as unknown as ConnectorEvent),
      connectorDecider.initialState,
    );
