import type { IResolvers } from 'mercurius';
import {
  type ConnectionTestOutcome,
  type ConnectorCommand,
  type ConnectorEvent,
  connectorDecider,
  connectorStreamId,
} from '../../domain/connectors/connector.js';
import type {
  ConnectorConfig,
  ConnectorKind,
  ConnectorSpec,
  KeepSecret,
} from '../../domain/connectors/connectorConfig.js';
import type { EncryptedSecret } from '../../domain/encryptedSecret.js';
import { TributaryError } from '../../errors.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import { upcastEvent } from '../../infra/eventstore/upcast.js';
import {
  CONNECTOR_SORT_KEYS,
  findConnector,
  listConnectors,
} from '../../projections/connectors/connectorQueries.js';
import { type ConnectorView, toConnectorView } from '../../projections/connectors/connectorView.js';
import { isKeyFor, keyOfRow } from '../../projections/keysetPage.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { pageRequest, toConnection } from './connection.js';
import {
  type ConnectorsArgs,
  type CreateConnectorInput,
  connectorOrder,
  encryptConnectorSecrets,
  type GraphQLConnectorKind,
  toDomainKind,
  toGraphQLKind,
} from './connectorInput.js';
import { runCommand } from './runCommand.js';

const runConnectorCommand = async (context: ApiContext, command: ConnectorCommand) => {
  const { connectorId } = command.data;
  const { position } = await runCommand(context, connectorDecider, connectorStreamId(connectorId), command);
  return { connectorId, position };
};

/**
 * A connector's kind, from the event that created it (the kind never changes). Read from the
 * store, not the read model, which may not have a connector created a moment ago.
 */
const kindOf = async (eventStore: EventStore, connectorId: string): Promise<ConnectorKind | null> => {
  const [first] = await eventStore.readStream(connectorStreamId(connectorId), { maxCount: 1 });
  const created = (first && upcastEvent(first)) as ConnectorEvent | undefined;
  return created?.type === 'ConnectorCreated' ? created.data.kind : null;
};

const now = (context: ApiContext) => context.services.now().toISOString();

/**
 * Resolvers turn input into commands and queries; the rules live in the domain. Secret fields
 * are encrypted here, before the command is built, so no plain secret reaches a command, an
 * event or a log; queries read the read model, where every secret is masked.
 */
export const connectorResolvers: IResolvers = {
  Query: {
    connector: async (_root, { id }: { id: string }, context: ApiContext) => {
      authorize(context, 'connector.read');
      const row = await findConnector(context.services.pool, id);
      return row && toConnectorView(row);
    },
    connectors: async (_root, args: ConnectorsArgs, context: ApiContext) => {
      authorize(context, 'connector.read');
      const order = connectorOrder(args.orderBy);
      const sortKey = CONNECTOR_SORT_KEYS[order.field];
      const request = pageRequest(args, { ordering: order.ordering, isKey: isKeyFor(sortKey) });
      const { kind, direction, includeDeleted } = args.filter ?? {};
      const list = await listConnectors(
        context.services.pool,
        { kind: kind ? toDomainKind(kind) : null, direction, includeDeleted },
        { orderBy: order, after: request.after, limit: request.limit },
      );
      return toConnection(request, list.rows, list.totalCount, {
        keyOf: (row) => keyOfRow(sortKey, row),
        toNode: toConnectorView,
      });
    },
  },
  Mutation: {
    createConnector: async (_root, { input }: { input: CreateConnectorInput }, context: ApiContext) => {
      authorize(context, 'connector.create');
      const kind = toDomainKind(input.kind);
      const config = encryptConnectorSecrets(kind, input.config, context.services.secretCipher);
      // The decider validates the spec; until then it is whatever the client sent.
      const spec = { direction: input.direction, kind, config } as ConnectorSpec;
      return runConnectorCommand(context, {
        type: 'CreateConnector',
        data: {
          // Derived from the idempotency key when there is one, so a retried create finds the
          // stream of its first attempt rather than creating a second connector.
          connectorId: context.commandId
            ? deterministicId(`connector:${context.commandId}`)
            : context.services.newId(),
          name: input.name,
          createdAt: now(context),
          ...spec,
        },
      });
    },
    updateConnectorConfig: async (
      _root,
      { id, config }: { id: string; config: unknown },
      context: ApiContext,
    ) => {
      authorize(context, 'connector.updateConfig');
      const kind = await kindOf(context.services.eventStore, id);
      // Without its kind there is no knowing which fields are secret, so nothing goes further.
      if (kind === null) throw new TributaryError('CONNECTOR_NOT_FOUND');
      const encrypted = encryptConnectorSecrets(kind, config, context.services.secretCipher);
      return runConnectorCommand(context, {
        type: 'UpdateConnectorConfig',
        data: {
          connectorId: id,
          config: encrypted as ConnectorConfig<EncryptedSecret | KeepSecret>,
          updatedAt: now(context),
        },
      });
    },
    recordConnectionTest: async (
      _root,
      {
        input,
      }: {
        input: {
          connectorId: string;
          configVersion: number;
          outcome: ConnectionTestOutcome;
          message?: string;
        };
      },
      context: ApiContext,
    ) => {
      authorize(context, 'connector.recordConnectionTest');
      return runConnectorCommand(context, {
        type: 'RecordConnectionTest',
        data: {
          connectorId: input.connectorId,
          configVersion: input.configVersion,
          outcome: input.outcome,
          message: input.message ?? '',
          testedAt: now(context),
        },
      });
    },
    deleteConnector: async (_root, { id }: { id: string }, context: ApiContext) => {
      authorize(context, 'connector.delete');
      return runConnectorCommand(context, {
        type: 'DeleteConnector',
        data: { connectorId: id, deletedAt: now(context) },
      });
    },
  },
  Connector: {
    kind: (connector: ConnectorView): GraphQLConnectorKind => toGraphQLKind(connector.kind),
  },
};
