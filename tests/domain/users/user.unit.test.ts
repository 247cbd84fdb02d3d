import { describe, expect, it } from 'vitest';
import {
  LOCK_DURATION_MINUTES,
  MAX_FAILED_LOGINS,
  ROLES,
  type Role,
  type UserCommand,
  type UserEvent,
  type UserState,
  userDecider,
  userStreamId,
} from '../../../src/domain/users/user.js';
import { given } from '../deciderSpec.js';

const userId = 'u-1';
const T0 = '2026-01-01T00:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const inviteToken = 'a'.repeat(64);
const otherToken = 'b'.repeat(64);
const verifyToken = 'c'.repeat(64);
const keyHash = 'd'.repeat(64);
const passwordHash = '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';
const newPasswordHash = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$bmV3aGFzaA';

type Data<T extends UserCommand['type']> = Extract<UserCommand, { type: T }>['data'];
/** A command of user u-1; TypeScript cannot relate the generic pair to the union, hence the cast. */
const command = <T extends UserCommand['type']>(type: T, data: Omit<Data<T>, 'userId'>): UserCommand =>
  ({ type, data: { userId, ...data } }) as unknown as UserCommand;

const bootstrap = (email = 'root@example.com') =>
  command('BootstrapAdmin', { email, passwordHash, bootstrappedAt: T0 });
const invite = (overrides: Partial<Data<'InviteUser'>> = {}) =>
  command('InviteUser', {
    email: 'ada@example.com',
    role: 'developer',
    invitationTokenHash: inviteToken,
    invitationExpiresAt: at(60 * 24),
    invitedAt: T0,
    ...overrides,
  });
const accept = (overrides: Partial<Data<'AcceptInvitation'>> = {}) =>
  command('AcceptInvitation', {
    invitationTokenHash: inviteToken,
    passwordHash,
    acceptedAt: at(10),
    ...overrides,
  });
const loginSucceeded = (minute: number) => command('RecordLoginSucceeded', { attemptedAt: at(minute) });
const loginFailed = (minute: number) => command('RecordLoginFailed', { attemptedAt: at(minute) });
const issueKey = (overrides: Partial<Data<'IssueApiKey'>> = {}) =>
  command('IssueApiKey', {
    keyId: 'k-1',
    name: 'CI',
    role: 'developer',
    keyHash,
    prefix: 'trb_ab12',
    issuedAt: at(20),
    ...overrides,
  });

const bootstrapped: UserEvent = {
  type: 'AdminBootstrapped',
  data: { userId, email: 'root@example.com', role: 'admin', passwordHash, bootstrappedAt: T0 },
};
const invited: UserEvent = {
  type: 'UserInvited',
  data: {
    userId,
    email: 'ada@example.com',
    role: 'developer',
    invitationTokenHash: inviteToken,
    invitationExpiresAt: at(60 * 24),
    invitedAt: T0,
  },
};
const accepted: UserEvent = {
  type: 'InvitationAccepted',
  data: { userId, passwordHash, acceptedAt: at(10) },
};
const keyIssued = (keyId: string, role: Role = 'developer'): UserEvent => ({
  type: 'ApiKeyIssued',
  data: { userId, keyId, name: 'CI', role, pipelineIds: null, keyHash, prefix: 'trb_ab12', issuedAt: at(20) },
});
const keyRevoked = (keyId: string, reason: 'revoked' | 'user_deactivated' | 'role_changed', minute: number) =>
  ({ type: 'ApiKeyRevoked', data: { userId, keyId, reason, revokedAt: at(minute) } }) as UserEvent;
const failed = (consecutiveFailures: number, minute: number): UserEvent => ({
  type: 'UserLoginFailed',
  data: { userId, consecutiveFailures, attemptedAt: at(minute) },
});
const locked = (minute: number): UserEvent => ({
  type: 'UserLocked',
  data: { userId, lockedUntil: at(minute + 15), lockedAt: at(minute) },
});
const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId, deactivatedAt: at(30) } };
const active = [invited, accepted];
const lockedOut = [
  ...active,
  failed(1, 1),
  failed(2, 2),
  failed(3, 3),
  failed(4, 4),
  failed(5, 5),
  locked(5),
];

describe('user decider: BootstrapAdmin', () => {
  it('creates an active admin, with the e-mail address trimmed and in lower case', () => {
    given(userDecider, []).when(bootstrap('  Root@Example.COM ')).thenEvents([bootstrapped]);
  });

  it('rejects a malformed address and a password that is not hashed, naming both fields', () => {
    given(userDecider, [])
      .when(command('BootstrapAdmin', { email: 'root', passwordHash: 'hunter2', bootstrappedAt: T0 }))
      .thenThrows('VALIDATION_FAILED', ['email', 'passwordHash']);
  });

  it('refuses a user id that is taken', () => {
    given(userDecider, [bootstrapped]).when(bootstrap()).thenThrows('USER_ALREADY_EXISTS');
    given(userDecider, [invited]).when(bootstrap()).thenThrows('USER_ALREADY_EXISTS');
  });
});

describe('user decider: InviteUser', () => {
  it('invites with a role, an invitation token hash and its expiry, the address normalised', () => {
    given(userDecider, [])
      .when(invite({ email: ' Ada@Example.com' }))
      .thenEvents([invited]);
  });

  it('accepts addresses with dots, plus tags and sub-domains', () => {
    given(userDecider, [])
      .when(invite({ email: 'First.Last+tag@Mail.Example.co.uk' }))
      .thenEvents([{ ...invited, data: { ...invited.data, email: 'first.last+tag@mail.example.co.uk' } }]);
  });

  it('says what is wrong with an address that is not one', () => {
    for (const email of [
      '',
      'ada',
      'ada@',
      '@example.com',
      'ada@example',
      'a b@example.com',
      'a..b@x.io',
      'a@b@c.io',
    ]) {
      given(userDecider, []).when(invite({ email })).thenThrows('VALIDATION_FAILED', ['email']);
    }
    expect(() => userDecider.decide(invite({ email: 'ada' }), { status: 'none' })).toThrow(
      'email: must be an e-mail address like name@example.com',
    );
  });

  it('reports every problem at once: address, role, token hash and an expiry not after the invitation', () => {
    given(userDecider, [])
      .when(
        invite({
          email: 'nope',
          role: 'owner' as Role,
          invitationTokenHash: 'the-token-itself',
          invitationExpiresAt: T0,
        }),
      )
      .thenThrows('VALIDATION_FAILED', ['email', 'role', 'invitationTokenHash', 'invitationExpiresAt']);
  });

  it('re-sends a pending invitation to the same address with a new token and expiry', () => {
    const resent = invite({
      invitationTokenHash: otherToken,
      invitationExpiresAt: at(3000),
      invitedAt: at(1),
    });
    given(userDecider, [invited])
      .when(resent)
      .thenEvents([
        {
          type: 'UserInvited',
          data: {
            ...invited.data,
            invitationTokenHash: otherToken,
            invitationExpiresAt: at(3000),
            invitedAt: at(1),
          },
        },
      ]);
  });

  it('refuses to invite over a pending invitation to another address, an active or a deactivated user', () => {
    given(userDecider, [invited])
      .when(invite({ email: 'grace@example.com' }))
      .thenThrows('USER_ALREADY_EXISTS');
    given(userDecider, active).when(invite()).thenThrows('USER_ALREADY_EXISTS');
    given(userDecider, [invited, deactivated]).when(invite()).thenThrows('USER_ALREADY_EXISTS');
  });
});

describe('user decider: AcceptInvitation', () => {
  it('sets the password hash and activates the user, whose address the invitation proved', () => {
    given(userDecider, [invited]).when(accept()).thenEvents([accepted]);
    given(userDecider, active).thenState({
      status: 'active',
      userId,
      email: 'ada@example.com',
      role: 'developer',
      hasPassword: true,
      invitation: null,
      emailVerified: true,
      emailVerification: null,
      failedLogins: 0,
      lockedUntil: null,
      apiKeys: [],
    });
  });

  it('refuses a token that does not match, including one replaced by a re-sent invitation', () => {
    given(userDecider, [invited])
      .when(accept({ invitationTokenHash: otherToken }))
      .thenThrows('INVALID_TOKEN');
    const resent: UserEvent = {
      type: 'UserInvited',
      data: { ...invited.data, invitationTokenHash: otherToken },
    };
    given(userDecider, [invited, resent]).when(accept()).thenThrows('INVALID_TOKEN');
  });

  it('refuses an invitation accepted at or after its expiry', () => {
    given(userDecider, [invited])
      .when(accept({ acceptedAt: at(60 * 24) }))
      .thenThrows('TOKEN_EXPIRED');
    given(userDecider, [invited])
      .when(accept({ acceptedAt: at(60 * 25) }))
      .thenThrows('TOKEN_EXPIRED');
  });

  it('counts a time that does not parse as past the expiry', () => {
    given(userDecider, [invited])
      .when(accept({ acceptedAt: 'soon' }))
      .thenThrows('TOKEN_EXPIRED');
  });

  it('reports a wrong token before an expiry, so a guess learns nothing', () => {
    given(userDecider, [invited])
      .when(accept({ invitationTokenHash: otherToken, acceptedAt: at(60 * 25) }))
      .thenThrows('INVALID_TOKEN');
  });

  it('rejects a password that is not hashed', () => {
    given(userDecider, [invited])
      .when(accept({ passwordHash: 'correct horse battery staple' }))
      .thenThrows('VALIDATION_FAILED', ['passwordHash']);
  });

  it('refuses an unknown user, an invitation already accepted, and a deactivated invitee', () => {
    given(userDecider, []).when(accept()).thenThrows('USER_NOT_FOUND');
    given(userDecider, active).when(accept()).thenThrows('INVITATION_ALREADY_ACCEPTED');
    given(userDecider, [invited, deactivated]).when(accept()).thenThrows('USER_DEACTIVATED');
  });
});

describe('user decider: RequestEmailVerification and VerifyEmail', () => {
  const request = (overrides: Partial<Data<'RequestEmailVerification'>> = {}) =>
    command('RequestEmailVerification', {
      tokenHash: verifyToken,
      expiresAt: at(60),
      requestedAt: at(1),
      ...overrides,
    });
  const requested: UserEvent = {
    type: 'EmailVerificationRequested',
    data: { userId, tokenHash: verifyToken, expiresAt: at(60), requestedAt: at(1) },
  };
  const verify = (tokenHash: string, minute: number) =>
    command('VerifyEmail', { tokenHash, verifiedAt: at(minute) });

  it('issues a verification token to a bootstrapped admin, whose address nobody proved', () => {
    given(userDecider, [bootstrapped]).when(request()).thenEvents([requested]);
  });

  it('rejects a token that is not a hash and an expiry not after the request', () => {
    given(userDecider, [bootstrapped])
      .when(request({ tokenHash: 'ABC', expiresAt: at(1) }))
      .thenThrows('VALIDATION_FAILED', ['tokenHash', 'expiresAt']);
  });

  it('verifies the address with the issued token before it expires', () => {
    given(userDecider, [bootstrapped, requested])
      .when(verify(verifyToken, 59))
      .thenEvents([{ type: 'EmailVerified', data: { userId, verifiedAt: at(59) } }]);
  });

  it('refuses a mismatched token, an expired one, and any token when none was issued', () => {
    given(userDecider, [bootstrapped, requested]).when(verify(otherToken, 5)).thenThrows('INVALID_TOKEN');
    given(userDecider, [bootstrapped, requested]).when(verify(verifyToken, 60)).thenThrows('TOKEN_EXPIRED');
    given(userDecider, [bootstrapped]).when(verify(verifyToken, 5)).thenThrows('INVALID_TOKEN');
  });

  it('accepts only the newest token once a second one was requested', () => {
    const again: UserEvent = {
      type: 'EmailVerificationRequested',
      data: { ...requested.data, tokenHash: otherToken, requestedAt: at(2) },
    };
    given(userDecider, [bootstrapped, requested, again])
      .when(verify(verifyToken, 5))
      .thenThrows('INVALID_TOKEN');
    given(userDecider, [bootstrapped, requested, again])
      .when(verify(otherToken, 5))
      .thenEvents([{ type: 'EmailVerified', data: { userId, verifiedAt: at(5) } }]);
  });

  it('refuses both once the address is verified, by the invitation or by a token', () => {
    const verified: UserEvent = { type: 'EmailVerified', data: { userId, verifiedAt: at(5) } };
    given(userDecider, active).when(request()).thenThrows('EMAIL_ALREADY_VERIFIED');
    given(userDecider, active).when(verify(verifyToken, 5)).thenThrows('EMAIL_ALREADY_VERIFIED');
    given(userDecider, [bootstrapped, requested, verified])
      .when(verify(verifyToken, 6))
      .thenThrows('EMAIL_ALREADY_VERIFIED');
  });

  it('refuses an unknown user, a pending invitee and a deactivated user', () => {
    given(userDecider, []).when(request()).thenThrows('USER_NOT_FOUND');
    given(userDecider, [invited]).when(request()).thenThrows('INVITATION_PENDING');
    given(userDecider, [bootstrapped, requested, deactivated])
      .when(verify(verifyToken, 5))
      .thenThrows('USER_DEACTIVATED');
  });
});

describe('user decider: ChangeRole', () => {
  const changeRole = (role: Role) => command('ChangeRole', { role, changedAt: at(40) });
  const changed = (from: Role, to: Role): UserEvent => ({
    type: 'UserRoleChanged',
    data: { userId, from, to, changedAt: at(40) },
  });

  it('knows the six roles of the product', () => {
    expect(ROLES).toEqual(['admin', 'developer', 'designer', 'executor', 'viewer', 'executive']);
  });

  it('changes the role, recording the old one, also before the invitation is accepted', () => {
    given(userDecider, active)
      .when(changeRole('designer'))
      .thenEvents([changed('developer', 'designer')]);
    given(userDecider, [invited])
      .when(changeRole('viewer'))
      .thenEvents([changed('developer', 'viewer')]);
  });

  it('records nothing when the role is the same', () => {
    given(userDecider, active).when(changeRole('developer')).thenEvents([]);
  });

  it('rejects a role the product does not have', () => {
    given(userDecider, active)
      .when(changeRole('superuser' as Role))
      .thenThrows('VALIDATION_FAILED', ['role']);
  });

  it('revokes the keys the new role could not hold and keeps the others', () => {
    const history = [
      bootstrapped,
      keyIssued('k-admin', 'admin'),
      keyIssued('k-view', 'viewer'),
      keyIssued('k-dev'),
    ];
    given(userDecider, history)
      .when(changeRole('developer'))
      .thenEvents([changed('admin', 'developer'), keyRevoked('k-admin', 'role_changed', 40)]);
  });

  it('refuses an unknown or deactivated user', () => {
    given(userDecider, []).when(changeRole('admin')).thenThrows('USER_NOT_FOUND');
    given(userDecider, [...active, deactivated])
      .when(changeRole('admin'))
      .thenThrows('USER_DEACTIVATED');
  });
});

describe('user decider: ChangePassword', () => {
  const change = (hash: string) => command('ChangePassword', { passwordHash: hash, changedAt: at(40) });

  it('records the new password hash', () => {
    given(userDecider, active)
      .when(change(newPasswordHash))
      .thenEvents([
        { type: 'PasswordChanged', data: { userId, passwordHash: newPasswordHash, changedAt: at(40) } },
      ]);
  });

  it('rejects a password that is not hashed', () => {
    given(userDecider, active).when(change('p4ssw0rd')).thenThrows('VALIDATION_FAILED', ['passwordHash']);
  });

  it('refuses an unknown user, a pending invitee and a deactivated user', () => {
    given(userDecider, []).when(change(newPasswordHash)).thenThrows('USER_NOT_FOUND');
    given(userDecider, [invited]).when(change(newPasswordHash)).thenThrows('INVITATION_PENDING');
    given(userDecider, [...active, deactivated])
      .when(change(newPasswordHash))
      .thenThrows('USER_DEACTIVATED');
  });
});

describe('user decider: logins and locks', () => {
  const succeeded = (minute: number): UserEvent => ({
    type: 'UserLoginSucceeded',
    data: { userId, attemptedAt: at(minute) },
  });
  const expiredUnlock = (minute: number): UserEvent => ({
    type: 'UserUnlocked',
    data: { userId, reason: 'lock_expired', unlockedAt: at(minute) },
  });

  it('locks after five consecutive failures, for fifteen minutes', () => {
    expect(MAX_FAILED_LOGINS).toBe(5);
    expect(LOCK_DURATION_MINUTES).toBe(15);
  });

  it('records a successful login', () => {
    given(userDecider, active)
      .when(loginSucceeded(1))
      .thenEvents([succeeded(1)]);
  });

  it('counts consecutive failures', () => {
    given(userDecider, active)
      .when(loginFailed(1))
      .thenEvents([failed(1, 1)]);
    given(userDecider, [...active, failed(1, 1), failed(2, 2), failed(3, 3)])
      .when(loginFailed(4))
      .thenEvents([failed(4, 4)]);
  });

  it('locks the account on the fifth failure until fifteen minutes after it', () => {
    given(userDecider, [...active, failed(1, 1), failed(2, 2), failed(3, 3), failed(4, 4)])
      .when(loginFailed(5))
      .thenEvents([
        failed(5, 5),
        { type: 'UserLocked', data: { userId, lockedUntil: '2026-01-01T00:20:00.000Z', lockedAt: at(5) } },
      ]);
  });

  it('starts counting again after a successful login', () => {
    given(userDecider, [...active, failed(1, 1), failed(2, 2), failed(3, 3), failed(4, 4), succeeded(5)])
      .when(loginFailed(6))
      .thenEvents([failed(1, 6)]);
  });

  it('refuses logins, good or bad, while the account is locked', () => {
    given(userDecider, lockedOut).when(loginSucceeded(6)).thenThrows('USER_LOCKED');
    given(userDecider, lockedOut).when(loginFailed(19)).thenThrows('USER_LOCKED');
  });

  it('unlocks by itself when a login succeeds once the lock has run out', () => {
    given(userDecider, lockedOut)
      .when(loginSucceeded(20))
      .thenEvents([expiredUnlock(20), succeeded(20)]);
  });

  it('counts a failure after an expired lock as the first of a new series', () => {
    given(userDecider, lockedOut)
      .when(loginFailed(21))
      .thenEvents([expiredUnlock(21), failed(1, 21)]);
  });

  it('refuses logins of an unknown user, a pending invitee and a deactivated user', () => {
    given(userDecider, []).when(loginSucceeded(1)).thenThrows('USER_NOT_FOUND');
    given(userDecider, [invited]).when(loginFailed(1)).thenThrows('INVITATION_PENDING');
    given(userDecider, [...active, deactivated])
      .when(loginSucceeded(31))
      .thenThrows('USER_DEACTIVATED');
    given(userDecider, [...active, deactivated])
      .when(loginFailed(31))
      .thenThrows('USER_DEACTIVATED');
  });

  it('takes a second-factor code once: a login with the step of one used before, or an earlier one, is refused', () => {
    const withCode = (minute: number, totpStep: number) =>
      command('RecordLoginSucceeded', { attemptedAt: at(minute), totpStep });
    const usedStep100: UserEvent = {
      type: 'UserLoginSucceeded',
      data: { userId, attemptedAt: at(1), totpStep: 100 },
    };
    given(userDecider, active).when(withCode(1, 100)).thenEvents([usedStep100]);
    given(userDecider, [...active, usedStep100])
      .when(withCode(2, 100))
      .thenThrows('INVALID_TOTP_CODE');
    given(userDecider, [...active, usedStep100])
      .when(withCode(2, 99))
      .thenThrows('INVALID_TOTP_CODE');
    given(userDecider, [...active, usedStep100])
      .when(withCode(2, 101))
      .thenEvents([{ type: 'UserLoginSucceeded', data: { userId, attemptedAt: at(2), totpStep: 101 } }]);
  });
});

describe('user decider: UnlockUser', () => {
  const unlock = command('UnlockUser', { unlockedAt: at(7) });

  it('lets an admin lift a lock before it runs out, clearing the failure count', () => {
    const unlocked: UserEvent = {
      type: 'UserUnlocked',
      data: { userId, reason: 'admin', unlockedAt: at(7) },
    };
    given(userDecider, lockedOut).when(unlock).thenEvents([unlocked]);
    given(userDecider, [...lockedOut, unlocked])
      .when(loginFailed(8))
      .thenEvents([failed(1, 8)]);
  });

  it('records nothing for an account that is not locked', () => {
    given(userDecider, active).when(unlock).thenEvents([]);
  });

  it('refuses an unknown user', () => {
    given(userDecider, []).when(unlock).thenThrows('USER_NOT_FOUND');
  });
});

describe('user decider: DeactivateUser and ReactivateUser', () => {
  const deactivate = command('DeactivateUser', { deactivatedAt: at(30) });
  const reactivate = command('ReactivateUser', { reactivatedAt: at(50) });
  const reactivated: UserEvent = { type: 'UserReactivated', data: { userId, reactivatedAt: at(50) } };

  it('deactivates the user and revokes every key still in use', () => {
    given(userDecider, [...active, keyIssued('k-1'), keyIssued('k-2'), keyRevoked('k-1', 'revoked', 25)])
      .when(deactivate)
      .thenEvents([deactivated, keyRevoked('k-2', 'user_deactivated', 30)]);
  });

  it('deactivates a pending invitee, whose invitation then cannot be accepted', () => {
    given(userDecider, [invited]).when(deactivate).thenEvents([deactivated]);
  });

  it('records nothing when deactivating a deactivated user or reactivating an active one', () => {
    given(userDecider, [...active, deactivated])
      .when(deactivate)
      .thenEvents([]);
    given(userDecider, active).when(reactivate).thenEvents([]);
  });

  it('reactivates a user, whose revoked keys stay revoked', () => {
    const history = [...active, keyIssued('k-1'), deactivated, keyRevoked('k-1', 'user_deactivated', 30)];
    given(userDecider, history).when(reactivate).thenEvents([reactivated]);
    expect(fold([...history, reactivated])).toMatchObject({
      status: 'active',
      apiKeys: [{ keyId: 'k-1', role: 'developer', revoked: true }],
    });
  });

  it('returns a reactivated invitee to a pending invitation that can still be accepted', () => {
    given(userDecider, [invited, deactivated, reactivated]).thenState({ ...fold([invited]) });
    given(userDecider, [invited, deactivated, reactivated]).when(accept()).thenEvents([accepted]);
  });

  it('refuses an unknown user', () => {
    given(userDecider, []).when(deactivate).thenThrows('USER_NOT_FOUND');
    given(userDecider, []).when(reactivate).thenThrows('USER_NOT_FOUND');
  });
});

describe('user decider: IssueApiKey and RevokeApiKey', () => {
  const revoke = (keyId: string) => command('RevokeApiKey', { keyId, revokedAt: at(25) });

  it('issues a key by its hash and display prefix, the name trimmed, for every pipeline when unscoped', () => {
    given(userDecider, active)
      .when(issueKey({ name: '  CI  ' }))
      .thenEvents([keyIssued('k-1')]);
  });

  it('issues a key scoped to some pipelines', () => {
    const issued = keyIssued('k-1');
    given(userDecider, active)
      .when(issueKey({ pipelineIds: ['p-1', 'p-2'] }))
      .thenEvents([{ ...issued, data: { ...issued.data, pipelineIds: ['p-1', 'p-2'] } } as UserEvent]);
  });

  it("holds a key to its owner's role or viewer, except for an admin's keys", () => {
    given(userDecider, active)
      .when(issueKey({ role: 'viewer' }))
      .thenEvents([keyIssued('k-1', 'viewer')]);
    for (const role of ['admin', 'designer', 'executor', 'executive'] as const) {
      given(userDecider, active).when(issueKey({ role })).thenThrows('VALIDATION_FAILED', ['role']);
    }
    given(userDecider, [bootstrapped])
      .when(issueKey({ role: 'executor' }))
      .thenEvents([keyIssued('k-1', 'executor')]);
  });

  it('reports every problem of a key at once, naming the field', () => {
    given(userDecider, active)
      .when(
        issueKey({
          name: ' ',
          role: 'root' as Role,
          pipelineIds: ['p-1', 'p-1', ''],
          keyHash: 'trb_the_key_itself',
          prefix: 'x',
        }),
      )
      .thenThrows('VALIDATION_FAILED', [
        'name',
        'role',
        'pipelineIds[1]',
        'pipelineIds[2]',
        'keyHash',
        'prefix',
      ]);
  });

  it('rejects an empty pipeline scope, which would allow nothing', () => {
    given(userDecider, active)
      .when(issueKey({ pipelineIds: [] }))
      .thenThrows('VALIDATION_FAILED', ['pipelineIds']);
  });

  it('refuses a key id that was used before, even by a revoked key', () => {
    given(userDecider, [...active, keyIssued('k-1')])
      .when(issueKey())
      .thenThrows('API_KEY_ALREADY_EXISTS');
    given(userDecider, [...active, keyIssued('k-1'), keyRevoked('k-1', 'revoked', 25)])
      .when(issueKey())
      .thenThrows('API_KEY_ALREADY_EXISTS');
  });

  it('refuses keys for an unknown user, a pending invitee and a deactivated user', () => {
    given(userDecider, []).when(issueKey()).thenThrows('USER_NOT_FOUND');
    given(userDecider, [invited]).when(issueKey()).thenThrows('INVITATION_PENDING');
    given(userDecider, [...active, deactivated])
      .when(issueKey())
      .thenThrows('USER_DEACTIVATED');
  });

  it('revokes a key, and records nothing when it is revoked again', () => {
    given(userDecider, [...active, keyIssued('k-1')])
      .when(revoke('k-1'))
      .thenEvents([keyRevoked('k-1', 'revoked', 25)]);
    given(userDecider, [...active, keyIssued('k-1'), keyRevoked('k-1', 'revoked', 25)])
      .when(revoke('k-1'))
      .thenEvents([]);
  });

  it('refuses to revoke a key the user does not have, or a key of an unknown user', () => {
    given(userDecider, [...active, keyIssued('k-1')])
      .when(revoke('k-2'))
      .thenThrows('API_KEY_NOT_FOUND');
    given(userDecider, []).when(revoke('k-1')).thenThrows('USER_NOT_FOUND');
  });
});

describe('user decider: evolve and stream', () => {
  it('starts with no user', () => {
    given(userDecider, []).thenState({ status: 'none' });
  });

  it('ignores events of a user that was never created', () => {
    given(userDecider, [accepted, deactivated, failed(1, 1)]).thenState({ status: 'none' });
  });

  it('names the stream user-<id>', () => {
    expect(userStreamId('u-1')).toBe('user-u-1');
  });

  it('never keeps a password or key hash in the state', () => {
    const state = fold([...active, keyIssued('k-1')]);
    expect(JSON.stringify(state)).not.toContain(passwordHash);
    expect(JSON.stringify(state)).not.toContain(keyHash);
  });
});

function fold(events: readonly UserEvent[]): UserState {
  return events.reduce(userDecider.evolve, userDecider.initialState);
}
