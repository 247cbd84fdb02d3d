import type { Action } from '../domain/permissions/permissionMatrix.js';

type Args = Record<string, unknown>;

/** What one root field asks authorization: its action and, where the arguments say, about what. */
export interface FieldAction {
  action: Action;
  /** The pipeline the arguments name; a key limited to pipelines may only take fields that name one of them. */
  pipelineId?: (args: Args) => unknown;
  /** The user the arguments name, for actions a role may take on its own account only. */
  userId?: (args: Args) => unknown;
  /** A subscription's event: the pipeline it is about, re-checked before each delivery. */
  deliveredPipelineId?: (message: Args) => unknown;
}

const arg =
  (...path: string[]) =>
  (args: Args): unknown =>
    path.reduce<unknown>((value, key) => (value as Args | null | undefined)?.[key], args);

const read = (action: Action): FieldAction => ({ action });
const onPipeline = (action: Action, ...path: string[]): FieldAction => ({ action, pipelineId: arg(...path) });
const onUser = (action: Action, ...path: string[]): FieldAction => ({ action, userId: arg(...path) });

/**
 * Every root field of the schema and the action it takes: the one table authorizeRootFields.ts
 * guards every Query, Mutation and Subscription field by, before its resolver runs. A field
 * missing here fails at start (and a test introspects the schema against it), so a new field
 * cannot go unguarded.
 */
export const FIELD_ACTIONS = {
  Query: {
    apiVersion: read('api.version'),
    alertRule: read('alertRule.read'),
    alertRules: onPipeline('alertRule.read', 'filter', 'pipelineId'),
    alert: read('alert.read'),
    alerts: onPipeline('alert.read', 'filter', 'pipelineId'),
    auditLog: read('audit.read'),
    notificationChannel: read('channel.read'),
    notificationChannels: read('channel.read'),
    connector: read('connector.read'),
    connectors: read('connector.read'),
    pipeline: onPipeline('pipeline.read', 'id'),
    pipelines: read('pipeline.read'),
    pipelineTemplates: read('pipeline.read'),
    pipelineMetrics: onPipeline('metrics.read', 'pipelineId'),
    projectionStatus: read('projection.read'),
    run: read('run.read'),
    runs: onPipeline('run.read', 'pipelineId'),
    search: read('search.read'),
    series: read('metrics.read'),
    user: onUser('user.read', 'id'),
    users: read('user.read'),
  },
  Mutation: {
    createAlertRule: onPipeline('alertRule.create', 'input', 'pipelineId'),
    updateAlertRule: read('alertRule.update'),
    enableAlertRule: read('alertRule.enable'),
    disableAlertRule: read('alertRule.disable'),
    fireAlert: read('alert.fire'),
    acknowledgeAlert: read('alert.acknowledge'),
    resolveAlert: read('alert.resolve'),
    escalateAlert: read('alert.escalate'),
    silenceAlert: read('alert.silence'),
    createNotificationChannel: read('channel.create'),
    updateNotificationChannel: read('channel.update'),
    deleteNotificationChannel: read('channel.delete'),
    testNotificationChannel: read('channel.test'),
    createConnector: read('connector.create'),
    updateConnectorConfig: read('connector.updateConfig'),
    recordConnectionTest: read('connector.recordConnectionTest'),
    deleteConnector: read('connector.delete'),
    createPipeline: read('pipeline.create'),
    clonePipeline: onPipeline('pipeline.clone', 'input', 'pipelineId'),
    createPipelineFromTemplate: read('pipeline.createFromTemplate'),
    savePipelineVersion: onPipeline('pipeline.saveVersion', 'input', 'pipelineId'),
    publishPipelineVersion: onPipeline('pipeline.publishVersion', 'id'),
    activatePipeline: onPipeline('pipeline.activate', 'id'),
    pausePipeline: onPipeline('pipeline.pause', 'id'),
    resumePipeline: onPipeline('pipeline.resume', 'id'),
    rollBackPipeline: onPipeline('pipeline.rollBack', 'id'),
    archivePipeline: onPipeline('pipeline.archive', 'id'),
    rebuildProjection: read('projection.rebuild'),
    resumeProjection: read('projection.resume'),
    requestRun: onPipeline('run.request', 'input', 'pipelineId'),
    startRun: read('run.start'),
    recordRunProgress: read('run.recordProgress'),
    completeRun: read('run.complete'),
    failRun: read('run.fail'),
    cancelRun: read('run.cancel'),
    replayPipeline: onPipeline('pipeline.replay', 'input', 'pipelineId'),
    replayDeadLetters: onPipeline('pipeline.replayDeadLetters', 'pipelineId'),
    bootstrapAdmin: read('user.bootstrapAdmin'),
    inviteUser: read('user.invite'),
    acceptInvitation: read('user.acceptInvitation'),
    requestEmailVerification: onUser('user.requestEmailVerification', 'id'),
    verifyEmail: read('user.verifyEmail'),
    changeUserRole: onUser('user.changeRole', 'id'),
    changePassword: onUser('user.changePassword', 'input', 'userId'),
    unlockUser: onUser('user.unlock', 'id'),
    deactivateUser: onUser('user.deactivate', 'id'),
    reactivateUser: onUser('user.reactivate', 'id'),
    issueApiKey: onUser('user.issueApiKey', 'input', 'userId'),
    revokeApiKey: onUser('user.revokeApiKey', 'userId'),
    login: read('auth.login'),
    refreshSession: read('auth.refresh'),
    logout: read('auth.logout'),
    requestPasswordReset: read('auth.requestPasswordReset'),
    resetPassword: read('auth.resetPassword'),
    enrollTotp: read('auth.manageTotp'),
    confirmTotp: read('auth.manageTotp'),
    disableTotp: read('auth.manageTotp'),
  },
  Subscription: {
    alertFired: {
      ...onPipeline('alert.read', 'pipelineId'),
      deliveredPipelineId: arg('alert', 'pipelineId'),
    },
    alertChanged: { ...read('alert.read'), deliveredPipelineId: arg('alert', 'pipelineId') },
    auditEvents: read('audit.read'),
    pipelineChanged: { ...onPipeline('pipeline.read', 'id'), deliveredPipelineId: arg('pipeline', 'id') },
    pipelineMetricsUpdated: {
      ...onPipeline('metrics.read', 'pipelineId'),
      deliveredPipelineId: arg('pipelineId'),
    },
    projectionProgress: read('projection.read'),
    runUpdated: { ...onPipeline('run.read', 'pipelineId'), deliveredPipelineId: arg('run', 'pipelineId') },
  },
} as const satisfies Record<'Query' | 'Mutation' | 'Subscription', Record<string, FieldAction>>;

export type RootType = keyof typeof FIELD_ACTIONS;

export const fieldActionOf = (type: string, field: string): FieldAction | undefined =>
  (FIELD_ACTIONS as Record<string, Record<string, FieldAction>>)[type]?.[field];
