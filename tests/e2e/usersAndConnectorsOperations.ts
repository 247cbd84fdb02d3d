import { expect } from 'vitest';

/** The GraphQL documents of usersAndConnectors.e2e.test.ts, as a client would write them. */

const USER_FIELDS = `
  id email role status emailVerified createdAt invitedAt invitationExpiresAt acceptedAt
  emailVerificationRequestedAt emailVerificationExpiresAt emailVerifiedAt passwordChangedAt
  lastLoginAt lastFailedLoginAt failedLoginCount lockedUntil deactivatedAt updatedAt position
  apiKeys { id name role pipelineIds prefix createdAt revokedAt revokedReason }`;

const CONNECTOR_FIELDS = `
  id name direction kind config configVersion lastTest { outcome message testedAt }
  deleted deletedAt createdAt updatedAt position`;

export const USER = `query User($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`;
export const USERS = `query Users($first: Int, $after: String, $filter: UserFilter, $orderBy: UserOrder) {
  users(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { ${USER_FIELDS} } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;
export const CONNECTOR = `query Connector($id: ID!) { connector(id: $id) { ${CONNECTOR_FIELDS} } }`;
export const CONNECTORS = `query Connectors($first: Int, $after: String, $filter: ConnectorFilter,
                                              $orderBy: ConnectorOrder) {
  connectors(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { ${CONNECTOR_FIELDS} } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

export const BOOTSTRAP_ADMIN = `mutation Bootstrap($input: BootstrapAdminInput!) {
  bootstrapAdmin(input: $input) { userId position }
}`;
export const INVITE_USER = `mutation Invite($input: InviteUserInput!) {
  inviteUser(input: $input) { userId position invitationToken invitationExpiresAt }
}`;
export const ACCEPT_INVITATION = `mutation Accept($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { userId position }
}`;
export const REQUEST_EMAIL_VERIFICATION = `mutation RequestVerification($id: ID!) {
  requestEmailVerification(id: $id) { userId position expiresAt }
}`;
export const VERIFY_EMAIL = `mutation Verify($input: VerifyEmailInput!) {
  verifyEmail(input: $input) { userId position }
}`;
export const CHANGE_USER_ROLE = `mutation ChangeRole($id: ID!, $role: Role!) {
  changeUserRole(id: $id, role: $role) { userId position }
}`;
export const CHANGE_PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { userId position }
}`;
export const UNLOCK_USER = 'mutation Unlock($id: ID!) { unlockUser(id: $id) { userId position } }';
export const DEACTIVATE_USER =
  'mutation Deactivate($id: ID!) { deactivateUser(id: $id) { userId position } }';
export const REACTIVATE_USER =
  'mutation Reactivate($id: ID!) { reactivateUser(id: $id) { userId position } }';
export const ISSUE_API_KEY = `mutation IssueKey($input: IssueApiKeyInput!) {
  issueApiKey(input: $input) { userId keyId position key prefix }
}`;
export const REVOKE_API_KEY = `mutation RevokeKey($userId: ID!, $keyId: ID!) {
  revokeApiKey(userId: $userId, keyId: $keyId) { userId keyId position }
}`;

export const CREATE_CONNECTOR = `mutation CreateConnector($input: CreateConnectorInput!) {
  createConnector(input: $input) { connectorId position }
}`;
export const UPDATE_CONNECTOR_CONFIG = `mutation UpdateConfig($id: ID!, $config: ConnectorConfig!) {
  updateConnectorConfig(id: $id, config: $config) { connectorId position }
}`;
export const RECORD_CONNECTION_TEST = `mutation RecordTest($input: RecordConnectionTestInput!) {
  recordConnectionTest(input: $input) { connectorId position }
}`;
export const DELETE_CONNECTOR = `mutation DeleteConnector($id: ID!) {
  deleteConnector(id: $id) { connectorId position }
}`;

/** An ISO-8601 instant in UTC, as DateTime fields carry it. */
export const TIME = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
/** A global position, as Position fields carry it. */
export const POSITION = expect.stringMatching(/^[1-9]\d*$/);

/** The whole response of an operation whose one root field failed with this error. */
export const failure = (
  field: string,
  code: string,
  category: string,
  message: string,
  problems?: { path: string; message: string }[],
) => ({
  data: null,
  errors: [
    {
      message,
      locations: [expect.objectContaining({ line: expect.any(Number), column: expect.any(Number) })],
      path: [field],
      extensions: { code, category, ...(problems && { problems }) },
    },
  ],
});
