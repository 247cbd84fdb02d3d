import type pg from 'pg';
import type { UserEvent } from '../../domain/users/userEvent.js';
import type { RecordedEvent } from '../../infra/eventstore/eventStore.js';
import type { Projection } from '../projection.js';

type Recorded<Type extends UserEvent['type']> = RecordedEvent<
  Type,
  Extract<UserEvent, { type: Type }>['data']
>;
type Apply<Type extends UserEvent['type']> = (
  client: pg.ClientBase,
  event: Recorded<Type>,
) => Promise<unknown>;

/**
 * Changes the user's row as of `event`, with `set` (its parameters numbered from $4) on top of
 * the time and position every change records. The position guard makes a second delivery a
 * no-op, and keeps an older event from overwriting a newer one during a rebuild.
 */
const updateUser = (
  client: pg.ClientBase,
  event: RecordedEvent<string, { userId: string }>,
  at: string,
  set: string,
  params: unknown[] = [],
) =>
  client.query(
    `UPDATE users SET ${set}${set ? ', ' : ''}updated_at = $3, last_position = $2
     WHERE id = $1 AND last_position < $2`,
    [event.data.userId, event.position, at, ...params],
  );

/** One handler per event type: a new user event does not compile until it is handled here. */
const handlers: { [Type in UserEvent['type']]: Apply<Type> } = {
  AdminBootstrapped: (client, { data, position }) =>
    client.query(
      `INSERT INTO users (id, email, role, status, created_at, password_changed_at, updated_at, last_position)
       VALUES ($1, $2, $3, 'active', $4, $4, $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [data.userId, data.email, data.role, data.bootstrappedAt, position],
    ),
  // Inviting a pending invitee again re-sends the invitation: the same row, a new expiry.
  UserInvited: (client, { data, position }) =>
    client.query(
      `INSERT INTO users (id, email, role, status, created_at, invited_at, invitation_expires_at,
                          updated_at, last_position)
       VALUES ($1, $2, $3, 'invited', $4, $4, $5, $4, $6)
       ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, role = EXCLUDED.role, status = 'invited',
         invited_at = EXCLUDED.invited_at, invitation_expires_at = EXCLUDED.invitation_expires_at,
         updated_at = EXCLUDED.updated_at, last_position = EXCLUDED.last_position
       WHERE users.last_position < EXCLUDED.last_position`,
      [data.userId, data.email, data.role, data.invitedAt, data.invitationExpiresAt, position],
    ),
  // The invitation went to this address only, so accepting it proves the address.
  InvitationAccepted: (client, event) =>
    updateUser(
      client,
      event,
      event.data.acceptedAt,
      `status = 'active', accepted_at = $3, password_changed_at = $3, invitation_expires_at = NULL,
       email_verified = true, email_verified_at = $3`,
    ),
  EmailVerificationRequested: (client, event) =>
    updateUser(
      client,
      event,
      event.data.requestedAt,
      'email_verification_requested_at = $3, email_verification_expires_at = $4',
      [event.data.expiresAt],
    ),
  EmailVerified: (client, event) =>
    updateUser(
      client,
      event,
      event.data.verifiedAt,
      'email_verified = true, email_verified_at = $3, email_verification_expires_at = NULL',
    ),
  UserRoleChanged: (client, event) =>
    updateUser(client, event, event.data.changedAt, 'role = $4', [event.data.to]),
  PasswordChanged: (client, event) =>
    updateUser(client, event, event.data.changedAt, 'password_changed_at = $3'),
  // The row keeps no reset token and no TOTP secret; only the time of the change shows.
  PasswordResetRequested: (client, event) => updateUser(client, event, event.data.requestedAt, ''),
  PasswordReset: (client, event) => updateUser(client, event, event.data.resetAt, 'password_changed_at = $3'),
  TotpEnrollmentStarted: (client, event) => updateUser(client, event, event.data.startedAt, ''),
  TotpEnabled: (client, event) => updateUser(client, event, event.data.enabledAt, ''),
  TotpDisabled: (client, event) => updateUser(client, event, event.data.disabledAt, ''),
  UserLoginSucceeded: (client, event) =>
    updateUser(client, event, event.data.attemptedAt, 'last_login_at = $3, failed_login_count = 0'),
  UserLoginFailed: (client, event) =>
    updateUser(client, event, event.data.attemptedAt, 'last_failed_login_at = $3, failed_login_count = $4', [
      event.data.consecutiveFailures,
    ]),
  UserLocked: (client, event) =>
    updateUser(client, event, event.data.lockedAt, 'locked_until = $4, failed_login_count = 0', [
      event.data.lockedUntil,
    ]),
  UserUnlocked: (client, event) =>
    updateUser(client, event, event.data.unlockedAt, 'locked_until = NULL, failed_login_count = 0'),
  UserDeactivated: (client, event) =>
    updateUser(client, event, event.data.deactivatedAt, "status = 'deactivated', deactivated_at = $3"),
  // As the decider folds it: back to active if the user ever set a password, else still invited.
  UserReactivated: (client, event) =>
    updateUser(
      client,
      event,
      event.data.reactivatedAt,
      `status = CASE WHEN password_changed_at IS NULL THEN 'invited' ELSE 'active' END, deactivated_at = NULL`,
    ),
  // The key's hash stays in the event: nothing that reads this table could use it but an attacker.
  ApiKeyIssued: async (client, event) => {
    const { userId, keyId, name, role, pipelineIds, prefix, issuedAt } = event.data;
    await client.query(
      `INSERT INTO api_keys (user_id, id, name, role, pipeline_ids, prefix, created_at, last_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id, id) DO NOTHING`,
      [userId, keyId, name, role, pipelineIds, prefix, issuedAt, event.position],
    );
    await updateUser(client, event, issuedAt, '');
  },
  ApiKeyRevoked: async (client, event) => {
    const { userId, keyId, reason, revokedAt } = event.data;
    await client.query(
      `UPDATE api_keys SET revoked_at = $3, revoked_reason = $4, last_position = $5
       WHERE user_id = $1 AND id = $2 AND last_position < $5`,
      [userId, keyId, revokedAt, reason, event.position],
    );
    await updateUser(client, event, revokedAt, '');
  },
};

const isUserEvent = (event: RecordedEvent): event is Recorded<UserEvent['type']> =>
  Object.hasOwn(handlers, event.type);

/**
 * The `users` read model, with `api_keys` beside it: who can use the platform, in what role,
 * how their account stands, and a summary of their API keys.
 */
export const usersProjection: Projection = {
  name: 'users',
  tables: ['users', 'api_keys'],
  migrations: [
    {
      id: 'users-001-tables',
      sql: `CREATE TABLE users (
              id text PRIMARY KEY,
              email text NOT NULL,
              role text NOT NULL,
              status text NOT NULL,
              email_verified boolean NOT NULL DEFAULT false,
              created_at timestamptz NOT NULL,
              invited_at timestamptz,
              invitation_expires_at timestamptz,
              accepted_at timestamptz,
              email_verification_requested_at timestamptz,
              email_verification_expires_at timestamptz,
              email_verified_at timestamptz,
              password_changed_at timestamptz,
              last_login_at timestamptz,
              last_failed_login_at timestamptz,
              failed_login_count int NOT NULL DEFAULT 0,
              locked_until timestamptz,
              deactivated_at timestamptz,
              updated_at timestamptz NOT NULL,
              last_position bigint NOT NULL
            );
            CREATE INDEX users_created_at ON users (created_at, id);
            CREATE INDEX users_email ON users (email, id);
            CREATE TABLE api_keys (
              user_id text NOT NULL,
              id text NOT NULL,
              name text NOT NULL,
              role text NOT NULL,
              pipeline_ids text[],
              prefix text NOT NULL,
              created_at timestamptz NOT NULL,
              revoked_at timestamptz,
              revoked_reason text,
              last_position bigint NOT NULL,
              PRIMARY KEY (user_id, id)
            );`,
    },
  ],
  async apply(client, events) {
    for (const event of events) {
      if (!isUserEvent(event)) continue;
      // The table above pairs each type with its handler; TypeScript cannot follow that through an index.
      await (handlers[event.type] as Apply<UserEvent['type']>)(client, event);
    }
    return [];
  },
};
