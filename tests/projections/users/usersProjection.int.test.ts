import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserEvent } from '../../../src/domain/users/userEvent.js';
import { API_KEY_COLUMNS, USER_COLUMNS } from '../../../src/projections/users/userRow.js';
import { usersProjection } from '../../../src/projections/users/usersProjection.js';
import { projectionTestBed } from '../projectionTestBed.js';

const bed = projectionTestBed(usersProjection);
beforeAll(bed.setUp);
afterAll(bed.tearDown);

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const at = (minute: number) => new Date(T(minute));
const HASH = (digit: string) => digit.repeat(64);
const PASSWORD_HASH = '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA';

const history = (userId: string, events: UserEvent[]) => bed.record(`user-${userId}`, events);
const userRow = async (id: string) =>
  (await bed.pool.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id])).rows[0];
const keyRows = async (userId: string) =>
  (await bed.pool.query(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id`, [userId]))
    .rows;
/** Every value of every row of both tables, as text, for looking for what must never be there. */
const everything = async () =>
  JSON.stringify([
    (await bed.pool.query('SELECT * FROM users')).rows,
    (await bed.pool.query('SELECT * FROM api_keys')).rows,
  ]);

const invited = (userId: string, email: string, minute = 0): UserEvent => ({
  type: 'UserInvited',
  data: {
    userId,
    email,
    role: 'developer',
    invitationTokenHash: HASH('a'),
    invitationExpiresAt: T(minute + 60),
    invitedAt: T(minute),
  },
});

const blankUser = {
  email_verified: false,
  invited_at: null,
  invitation_expires_at: null,
  accepted_at: null,
  email_verification_requested_at: null,
  email_verification_expires_at: null,
  email_verified_at: null,
  password_changed_at: null,
  last_login_at: null,
  last_failed_login_at: null,
  failed_login_count: 0,
  locked_until: null,
  deactivated_at: null,
};

describe('users read model', () => {
  it('follows an invitation through acceptance and a password change, the same when delivered twice', async () => {
    const events = history('u-1', [
      invited('u-1', 'ada@example.com'),
      { type: 'InvitationAccepted', data: { userId: 'u-1', passwordHash: PASSWORD_HASH, acceptedAt: T(5) } },
      {
        type: 'UserRoleChanged',
        data: { userId: 'u-1', from: 'developer', to: 'designer', changedAt: T(6) },
      },
      { type: 'PasswordChanged', data: { userId: 'u-1', passwordHash: PASSWORD_HASH, changedAt: T(7) } },
    ]);
    await bed.deliverTwice(events);
    expect(await userRow('u-1')).toEqual({
      ...blankUser,
      id: 'u-1',
      email: 'ada@example.com',
      role: 'designer',
      status: 'active',
      email_verified: true,
      created_at: at(0),
      invited_at: at(0),
      accepted_at: at(5),
      email_verified_at: at(5),
      password_changed_at: at(7),
      updated_at: at(7),
      last_position: events.at(-1)?.position,
    });
  });

  it('shows a bootstrapped admin as active, and an e-mail verification from request to done', async () => {
    const requested = history('u-2', [
      {
        type: 'AdminBootstrapped',
        data: {
          userId: 'u-2',
          email: 'root@example.com',
          role: 'admin',
          passwordHash: PASSWORD_HASH,
          bootstrappedAt: T(0),
        },
      },
      {
        type: 'EmailVerificationRequested',
        data: { userId: 'u-2', tokenHash: HASH('b'), expiresAt: T(90), requestedAt: T(30) },
      },
    ]);
    await bed.deliverTwice(requested);
    const bootstrapped = {
      ...blankUser,
      id: 'u-2',
      email: 'root@example.com',
      role: 'admin',
      status: 'active',
      created_at: at(0),
      password_changed_at: at(0),
      email_verification_requested_at: at(30),
    };
    expect(await userRow('u-2')).toEqual({
      ...bootstrapped,
      email_verification_expires_at: at(90),
      updated_at: at(30),
      last_position: requested.at(-1)?.position,
    });

    const verified = history('u-2', [{ type: 'EmailVerified', data: { userId: 'u-2', verifiedAt: T(31) } }]);
    await bed.deliverTwice(verified);
    expect(await userRow('u-2')).toEqual({
      ...bootstrapped,
      email_verified: true,
      email_verified_at: at(31),
      updated_at: at(31),
      last_position: verified[0]?.position,
    });
  });

  it('counts failed logins, shows a lock until it is lifted, and the last login', async () => {
    const events = history('u-3', [
      invited('u-3', 'bob@example.com'),
      { type: 'InvitationAccepted', data: { userId: 'u-3', passwordHash: PASSWORD_HASH, acceptedAt: T(1) } },
      { type: 'UserLoginFailed', data: { userId: 'u-3', consecutiveFailures: 4, attemptedAt: T(2) } },
    ]);
    await bed.deliverTwice(events);
    expect(await userRow('u-3')).toMatchObject({ failed_login_count: 4, last_failed_login_at: at(2) });

    const locked = history('u-3', [
      { type: 'UserLoginFailed', data: { userId: 'u-3', consecutiveFailures: 5, attemptedAt: T(3) } },
      { type: 'UserLocked', data: { userId: 'u-3', lockedUntil: T(18), lockedAt: T(3) } },
    ]);
    await bed.deliverTwice(locked);
    expect(await userRow('u-3')).toMatchObject({
      failed_login_count: 0,
      last_failed_login_at: at(3),
      locked_until: at(18),
    });

    const unlocked = history('u-3', [
      { type: 'UserUnlocked', data: { userId: 'u-3', reason: 'lock_expired', unlockedAt: T(20) } },
      { type: 'UserLoginSucceeded', data: { userId: 'u-3', attemptedAt: T(20) } },
    ]);
    await bed.deliverTwice(unlocked);
    const current = await userRow('u-3');
    expect(current).toMatchObject({
      failed_login_count: 0,
      locked_until: null,
      last_login_at: at(20),
      updated_at: at(20),
      last_position: unlocked.at(-1)?.position,
    });

    // An earlier batch delivered again late (a takeover, a rebuild) changes nothing.
    await bed.deliver(locked);
    await bed.deliver(events);
    expect(await userRow('u-3')).toEqual(current);
  });

  it('keeps one row for a re-sent invitation, and brings a deactivated invitee back as invited', async () => {
    const events = history('u-4', [
      invited('u-4', 'cy@example.com', 0),
      invited('u-4', 'cy@example.com', 10),
      { type: 'UserDeactivated', data: { userId: 'u-4', deactivatedAt: T(11) } },
    ]);
    await bed.deliverTwice(events);
    expect(await userRow('u-4')).toMatchObject({
      status: 'deactivated',
      created_at: at(0),
      invited_at: at(10),
      invitation_expires_at: at(70),
      deactivated_at: at(11),
    });

    const back = history('u-4', [{ type: 'UserReactivated', data: { userId: 'u-4', reactivatedAt: T(12) } }]);
    await bed.deliverTwice(back);
    expect(await userRow('u-4')).toMatchObject({
      status: 'invited',
      deactivated_at: null,
      updated_at: at(12),
    });
  });

  it('lists API keys with their scope and revocation, and never a key hash', async () => {
    const issued = (keyId: string, minute: number, pipelineIds: string[] | null): UserEvent => ({
      type: 'ApiKeyIssued',
      data: {
        userId: 'u-5',
        keyId,
        name: `key ${keyId}`,
        role: 'viewer',
        pipelineIds,
        keyHash: HASH(keyId),
        prefix: `trb_${keyId}${keyId}${keyId}${keyId}`,
        issuedAt: T(minute),
      },
    });
    const events = history('u-5', [
      invited('u-5', 'dee@example.com'),
      { type: 'InvitationAccepted', data: { userId: 'u-5', passwordHash: PASSWORD_HASH, acceptedAt: T(1) } },
      issued('1', 2, null),
      issued('2', 3, ['p-1', 'p-2']),
      { type: 'ApiKeyRevoked', data: { userId: 'u-5', keyId: '1', reason: 'revoked', revokedAt: T(4) } },
      { type: 'UserDeactivated', data: { userId: 'u-5', deactivatedAt: T(5) } },
      {
        type: 'ApiKeyRevoked',
        data: { userId: 'u-5', keyId: '2', reason: 'user_deactivated', revokedAt: T(5) },
      },
    ]);
    await bed.deliverTwice(events);

    const position = (index: number) => events[index]?.position;
    expect(await keyRows('u-5')).toEqual([
      {
        user_id: 'u-5',
        id: '1',
        name: 'key 1',
        role: 'viewer',
        pipeline_ids: null,
        prefix: 'trb_1111',
        created_at: at(2),
        revoked_at: at(4),
        revoked_reason: 'revoked',
        last_position: position(4),
      },
      {
        user_id: 'u-5',
        id: '2',
        name: 'key 2',
        role: 'viewer',
        pipeline_ids: ['p-1', 'p-2'],
        prefix: 'trb_2222',
        created_at: at(3),
        revoked_at: at(5),
        revoked_reason: 'user_deactivated',
        last_position: position(6),
      },
    ]);
    expect(await userRow('u-5')).toMatchObject({ status: 'deactivated', last_position: position(6) });
    const stored = await everything();
    for (const hash of [HASH('1'), HASH('2'), HASH('a'), HASH('b'), PASSWORD_HASH]) {
      expect(stored).not.toContain(hash);
    }
  });

  it('ignores events of other aggregates', async () => {
    const before = await everything();
    await bed.deliverTwice(
      bed.record('pipeline-p', [{ type: 'PipelinePaused', data: { pipelineId: 'p', pausedAt: T(0) } }]),
    );
    expect(await everything()).toBe(before);
  });
});
