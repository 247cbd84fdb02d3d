import { ROLES, type Role } from '../users/roles.js';

/**
 * What each role is for. Every role has a line here (a test checks it), and the matrix below is
 * the decision in detail.
 */
export const ROLE_DESCRIPTIONS: { readonly [R in Role]: string } = {
  admin: 'Everything, and the only role that manages users, roles and the read models.',
  developer:
    'Builds and runs pipelines and connectors (secrets included), alert rules and alerts; reads the audit log and projection status.',
  designer:
    'Designs pipelines: creates, clones and saves versions; reads connectors without secrets; never publishes, activates or runs.',
  executor:
    'Operates pipelines: activates, pauses, resumes, replays, requests and drives runs, handles alerts; never changes a definition.',
  viewer: 'Reads pipelines, runs, alert rules, alerts and connectors (no secrets); nothing about users.',
  executive:
    'Reads the summaries: pipelines, runs, alert rules and alerts, and search; no connectors, no users.',
};

/**
 * - `Y`: allowed.
 * - `N`: denied.
 * - `OWN`: allowed only on the principal's own account (the request names their user id);
 *   an admin's `Y` covers everyone's.
 */
export const Y = 'allow';
export const N = 'deny';
export const OWN = 'own';
export type Permission = typeof Y | typeof N | typeof OWN;

/**
 * The permission matrix: every action the API asks about (`<area>.<verb>`, see
 * src/api/fieldActions.ts for which field asks which) × the six roles, in the order of ROLES.
 * Actions in PUBLIC_ACTIONS need no principal at all and are not listed here.
 */
// biome-ignore format: the table is aligned to be read as a table
export const PERMISSION_MATRIX = {
  //                              admin developer designer executor viewer executive
  'pipeline.read':               [Y,    Y,        Y,       Y,       Y,     Y],
  'pipeline.create':             [Y,    Y,        Y,       N,       N,     N],
  'pipeline.clone':              [Y,    Y,        Y,       N,       N,     N],
  'pipeline.createFromTemplate': [Y,    Y,        Y,       N,       N,     N],
  'pipeline.saveVersion':        [Y,    Y,        Y,       N,       N,     N],
  'pipeline.publishVersion':     [Y,    Y,        N,       N,       N,     N],
  'pipeline.rollBack':           [Y,    Y,        N,       N,       N,     N],
  'pipeline.archive':            [Y,    Y,        N,       N,       N,     N],
  'pipeline.activate':           [Y,    Y,        N,       Y,       N,     N],
  'pipeline.pause':              [Y,    Y,        N,       Y,       N,     N],
  'pipeline.resume':             [Y,    Y,        N,       Y,       N,     N],
  'pipeline.replay':             [Y,    Y,        N,       Y,       N,     N],
  'pipeline.replayDeadLetters':  [Y,    Y,        N,       Y,       N,     N],

  'run.read':                    [Y,    Y,        Y,       Y,       Y,     Y],
  'run.request':                 [Y,    Y,        N,       Y,       N,     N],
  'run.start':                   [Y,    Y,        N,       Y,       N,     N],
  'run.recordProgress':          [Y,    Y,        N,       Y,       N,     N],
  'run.complete':                [Y,    Y,        N,       Y,       N,     N],
  'run.fail':                    [Y,    Y,        N,       Y,       N,     N],
  'run.cancel':                  [Y,    Y,        N,       Y,       N,     N],
  // Metrics charts and aggregate series: whoever reads pipelines.
  'metrics.read':                [Y,    Y,        Y,       Y,       Y,     Y],

  'connector.read':              [Y,    Y,        Y,       Y,       Y,     N],
  'connector.readSecrets':       [Y,    Y,        N,       N,       N,     N],
  'connector.create':            [Y,    Y,        N,       N,       N,     N],
  'connector.updateConfig':      [Y,    Y,        N,       N,       N,     N],
  'connector.recordConnectionTest': [Y, Y,        N,       Y,       N,     N],
  'connector.delete':            [Y,    Y,        N,       N,       N,     N],

  'alertRule.read':              [Y,    Y,        Y,       Y,       Y,     Y],
  'alertRule.create':            [Y,    Y,        N,       N,       N,     N],
  'alertRule.update':            [Y,    Y,        N,       N,       N,     N],
  'alertRule.enable':            [Y,    Y,        N,       Y,       N,     N],
  'alertRule.disable':           [Y,    Y,        N,       Y,       N,     N],
  'alert.read':                  [Y,    Y,        Y,       Y,       Y,     Y],
  'alert.fire':                  [Y,    Y,        N,       Y,       N,     N],
  'alert.acknowledge':           [Y,    Y,        N,       Y,       N,     N],
  'alert.resolve':               [Y,    Y,        N,       Y,       N,     N],
  'alert.escalate':              [Y,    Y,        N,       Y,       N,     N],
  'alert.silence':               [Y,    Y,        N,       Y,       N,     N],
  // Channels hold where alerts go (URLs, addresses): the roles that operate alerts read them;
  // executors may test one, only builders change them.
  'channel.read':                [Y,    Y,        N,       Y,       Y,     N],
  'channel.create':              [Y,    Y,        N,       N,       N,     N],
  'channel.update':              [Y,    Y,        N,       N,       N,     N],
  'channel.delete':              [Y,    Y,        N,       N,       N,     N],
  'channel.test':                [Y,    Y,        N,       Y,       N,     N],

  'audit.read':                  [Y,    Y,        N,       N,       N,     N],
  'search.read':                 [Y,    Y,        Y,       Y,       Y,     Y],
  'projection.read':             [Y,    Y,        N,       N,       N,     N],
  'projection.rebuild':          [Y,    N,        N,       N,       N,     N],
  'projection.resume':           [Y,    N,        N,       N,       N,     N],

  'user.read':                   [Y,    N,        N,       N,       N,     N],
  'user.invite':                 [Y,    N,        N,       N,       N,     N],
  'user.changeRole':             [Y,    N,        N,       N,       N,     N],
  'user.unlock':                 [Y,    N,        N,       N,       N,     N],
  'user.deactivate':             [Y,    N,        N,       N,       N,     N],
  'user.reactivate':             [Y,    N,        N,       N,       N,     N],
  'user.changePassword':         [Y,    OWN,      OWN,     OWN,     OWN,   OWN],
  'user.requestEmailVerification': [Y,  OWN,      OWN,     OWN,     OWN,   OWN],
  'user.issueApiKey':            [Y,    OWN,      OWN,     OWN,     OWN,   OWN],
  'user.revokeApiKey':           [Y,    OWN,      OWN,     OWN,     OWN,   OWN],
  // A second factor of one's own: the resolvers act on the signed-in user only, and refuse API keys.
  'auth.manageTotp':             [Y,    Y,        Y,       Y,       Y,     Y],
} as const satisfies Record<string, readonly [Permission, Permission, Permission, Permission, Permission, Permission]>;

/**
 * Actions anyone may take, signed in or not: each is guarded otherwise (the credentials for a
 * login, the refresh token for a refresh or logout, a single-use token for an invitation or a
 * verification, an empty platform for the first admin).
 */
export const PUBLIC_ACTIONS = [
  'api.version',
  'auth.login',
  'auth.refresh',
  'auth.logout',
  'auth.requestPasswordReset',
  'auth.resetPassword',
  'user.bootstrapAdmin',
  'user.acceptInvitation',
  'user.verifyEmail',
] as const;

export type RoleAction = keyof typeof PERMISSION_MATRIX;
export type PublicAction = (typeof PUBLIC_ACTIONS)[number];
export type Action = RoleAction | PublicAction;

export const ACTIONS: readonly Action[] = [
  ...(Object.keys(PERMISSION_MATRIX) as RoleAction[]),
  ...PUBLIC_ACTIONS,
];

export const isAction = (value: string): value is Action => (ACTIONS as readonly string[]).includes(value);

export const isPublicAction = (action: string): action is PublicAction =>
  (PUBLIC_ACTIONS as readonly string[]).includes(action);

/** What `role` may do with `action`; an unknown action is denied (a misspelt name fails closed). */
export const permissionOf = (role: Role, action: string): Permission => {
  if (isPublicAction(action)) return Y;
  if (!Object.hasOwn(PERMISSION_MATRIX, action)) return N;
  return PERMISSION_MATRIX[action as RoleAction][ROLES.indexOf(role)] ?? N;
};
