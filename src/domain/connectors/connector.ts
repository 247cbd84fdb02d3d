import { type FieldProblem, TributaryError, ValidationError } from '../../errors.js';
import { assertNever, type Decider } from '../decider.js';
import type { EncryptedSecret } from '../encryptedSecret.js';
import type { ConnectorConfig, ConnectorSpec, KeepSecret } from './connectorConfig.js';
import { connectorConfigProblems, connectorSpecProblems } from './connectorConfigValidation.js';
import { resolveKeptSecrets } from './connectorSecrets.js';

export type ConnectionTestOutcome = 'ok' | 'failed';

/**
 * What can be asked of a connector. Secret fields arrive encrypted (see `secretPathsOf`); a
 * plain string in one is refused. Times come from the caller's clock.
 */
export type ConnectorCommand =
  | {
      type: 'CreateConnector';
      data: { connectorId: string; name: string; createdAt: string } & ConnectorSpec;
    }
  | {
      /** Replaces the whole config; a secret field may hold `{ keep: true }` to keep its secret. */
      type: 'UpdateConnectorConfig';
      data: {
        connectorId: string;
        config: ConnectorConfig<EncryptedSecret | KeepSecret>;
        updatedAt: string;
      };
    }
  | {
      /** `configVersion` is the version that was tested, so a late result cannot describe a newer config. */
      type: 'RecordConnectionTest';
      data: {
        connectorId: string;
        configVersion: number;
        outcome: ConnectionTestOutcome;
        message: string;
        testedAt: string;
      };
    }
  | { type: 'DeleteConnector'; data: { connectorId: string; deletedAt: string } };

/** Events carry the direction and kind with every config, so a reader needs no earlier event. */
export type ConnectorEvent =
  | {
      type: 'ConnectorCreated';
      data: { connectorId: string; name: string; configVersion: number; createdAt: string } & ConnectorSpec;
    }
  | {
      type: 'ConnectorConfigUpdated';
      data: { connectorId: string; configVersion: number; updatedAt: string } & ConnectorSpec;
    }
  | {
      type: 'ConnectionTested';
      data: {
        connectorId: string;
        configVersion: number;
        outcome: ConnectionTestOutcome;
        message: string;
        testedAt: string;
      };
    }
  | { type: 'ConnectorDeleted'; data: { connectorId: string; deletedAt: string } };

/** Every ConnectorEvent type, for code that must cover them all (schemas, upcasters); a type test keeps it whole. */
export const connectorEventTypes = [
  'ConnectorCreated',
  'ConnectorConfigUpdated',
  'ConnectionTested',
  'ConnectorDeleted',
] as const satisfies readonly ConnectorEvent['type'][];

export interface ConnectionTest {
  outcome: ConnectionTestOutcome;
  message: string;
  testedAt: string;
}

export type ConnectorState =
  | { status: 'none' }
  | ({
      status: 'active';
      connectorId: string;
      name: string;
      configVersion: number;
      /** The last test of the current config; a config change clears it. */
      lastTest: ConnectionTest | null;
    } & ConnectorSpec)
  | { status: 'deleted'; connectorId: string };

export const connectorStreamId = (connectorId: string): string => `connector-${connectorId}`;

const MAX_NAME_LENGTH = 100;
const MAX_TEST_MESSAGE_LENGTH = 1000;
const OUTCOMES: readonly string[] = ['ok', 'failed'];

const rejectIfAny = (problems: FieldProblem[]): void => {
  if (problems.length > 0) throw new ValidationError(problems);
};

/** The connector's state if it exists and is not deleted; a deleted id is never reused. */
const existing = (state: ConnectorState) => {
  if (state.status === 'none') throw new TributaryError('CONNECTOR_NOT_FOUND');
  if (state.status === 'deleted') throw new TributaryError('CONNECTOR_DELETED');
  return state;
};

const decide = (command: ConnectorCommand, state: ConnectorState): ConnectorEvent[] => {
  switch (command.type) {
    case 'CreateConnector': {
      if (state.status === 'active') throw new TributaryError('CONNECTOR_ALREADY_EXISTS');
      if (state.status === 'deleted') throw new TributaryError('CONNECTOR_DELETED');
      const { connectorId, direction, kind, config, createdAt } = command.data;
      const name = typeof command.data.name === 'string' ? command.data.name.trim() : '';
      const problems = connectorSpecProblems({ direction, kind, config });
      if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
        problems.unshift({ path: 'name', message: `must be 1 to ${MAX_NAME_LENGTH} characters` });
      }
      rejectIfAny(problems);
      // Validated above: the config matches the kind, and the kind the direction.
      const spec = { direction, kind, config } as ConnectorSpec;
      return [
        { type: 'ConnectorCreated', data: { connectorId, name, configVersion: 1, createdAt, ...spec } },
      ];
    }
    case 'UpdateConnectorConfig': {
      const connector = existing(state);
      const { connectorId, updatedAt } = command.data;
      const config = resolveKeptSecrets(command.data.config, connector.config);
      rejectIfAny(connectorConfigProblems(connector.kind, config));
      const spec = { direction: connector.direction, kind: connector.kind, config } as ConnectorSpec;
      const configVersion = connector.configVersion + 1;
      return [{ type: 'ConnectorConfigUpdated', data: { connectorId, configVersion, updatedAt, ...spec } }];
    }
    case 'RecordConnectionTest': {
      const connector = existing(state);
      const { connectorId, configVersion, outcome, testedAt } = command.data;
      if (!OUTCOMES.includes(outcome)) {
        rejectIfAny([{ path: 'outcome', message: `must be one of: ${OUTCOMES.join(', ')}` }]);
      }
      // The config changed while it was being tested: the result describes nothing current.
      if (configVersion !== connector.configVersion) return [];
      // The message comes from a driver's error; a long one is cut rather than refused.
      const message = String(command.data.message ?? '')
        .trim()
        .slice(0, MAX_TEST_MESSAGE_LENGTH);
      return [{ type: 'ConnectionTested', data: { connectorId, configVersion, outcome, message, testedAt } }];
    }
    case 'DeleteConnector': {
      existing(state);
      return [{ type: 'ConnectorDeleted', data: command.data }];
    }
    default:
      return assertNever(command);
  }
};

const evolve = (state: ConnectorState, event: ConnectorEvent): ConnectorState => {
  switch (event.type) {
    case 'ConnectorCreated': {
      const { connectorId, name, configVersion, direction, kind, config } = event.data;
      const spec = { direction, kind, config } as ConnectorSpec;
      return { status: 'active', connectorId, name, configVersion, lastTest: null, ...spec };
    }
    case 'ConnectorConfigUpdated': {
      if (state.status !== 'active') return state;
      const { configVersion, direction, kind, config } = event.data;
      const spec = { direction, kind, config } as ConnectorSpec;
      return { ...state, configVersion, lastTest: null, ...spec };
    }
    case 'ConnectionTested': {
      if (state.status !== 'active') return state;
      const { outcome, message, testedAt } = event.data;
      return { ...state, lastTest: { outcome, message, testedAt } };
    }
    case 'ConnectorDeleted':
      return { status: 'deleted', connectorId: event.data.connectorId };
    default:
      return assertNever(event);
  }
};

export const connectorDecider: Decider<ConnectorCommand, ConnectorEvent, ConnectorState> = {
  initialState: { status: 'none' },
  decide,
  evolve,
};
