import type { IResolvers } from 'mercurius';
import type { Role } from '../../domain/users/roles.js';
import { type UserCommand, type UserEvent, userDecider, userStreamId } from '../../domain/users/user.js';
import { TributaryError } from '../../errors.js';
import { requestEmailVerification } from '../../infra/auth/emailVerification.js';
import { hashPassword } from '../../infra/crypto/passwordHasher.js';
import { newSecretToken, sha256Hex } from '../../infra/crypto/secretToken.js';
import { deterministicId } from '../../infra/eventstore/deterministicId.js';
import { isKeyFor, keyOfRow } from '../../projections/keysetPage.js';
import { findUser, hasUsersBesides, listUsers, USER_SORT_KEYS } from '../../projections/users/userQueries.js';
import { toUserView } from '../../projections/users/userView.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';
import { pageRequest, toConnection } from './connection.js';
import { runCommand } from './runCommand.js';
import {
  API_KEY_PREFIX,
  API_KEY_SHOWN_CHARACTERS,
  assertPasswordAccepted,
  hoursAfter,
  INVITATION_TTL_HOURS,
  type IssueApiKeyInput,
  type UsersArgs,
  userIdForEmail,
  userOrder,
} from './userInput.js';

const runUserCommand = async (context: ApiContext, command: UserCommand) => {
  const { userId } = command.data;
  return { userId, ...(await runCommand(context, userDecider, userStreamId(userId), command)) };
};

/** The event of this type among those a command wrote (or, repeated, had written the first time). */
const eventOf = <Type extends UserEvent['type']>(events: readonly UserEvent[], type: Type) =>
  events.find((event): event is Extract<UserEvent, { type: Type }> => event.type === type);

const now = (context: ApiContext) => context.services.now();

/** A mutation that only names the user, and the command it sends. */
const simpleMutation =
  (action: string, command: (userId: string, at: string) => UserCommand) =>
  async (_root: unknown, { id }: { id: string }, context: ApiContext) => {
    authorize(context, action);
    const { userId, position } = await runUserCommand(context, command(id, now(context).toISOString()));
    return { userId, position };
  };

/**
 * Resolvers turn input into commands and queries; the rules live in the domain. Secrets
 * (passwords, tokens, API keys) are made or hashed here, so no command, event or log holds one;
 * a token or key goes back to the caller once, in the result of the mutation that made it.
 */
export const userResolvers: IResolvers = {
  Query: {
    user: async (_root, { id }: { id: string }, context: ApiContext) => {
      authorize(context, 'user.read');
      const found = await findUser(context.services.pool, id);
      return found && toUserView(found.row, found.apiKeys);
    },
    users: async (_root, args: UsersArgs, context: ApiContext) => {
      authorize(context, 'user.read');
      const order = userOrder(args.orderBy);
      const sortKey = USER_SORT_KEYS[order.field];
      const request = pageRequest(args, { ordering: order.ordering, isKey: isKeyFor(sortKey) });
      const list = await listUsers(context.services.pool, args.filter ?? {}, {
        orderBy: order,
        after: request.after,
        limit: request.limit,
      });
      return toConnection(request, list.rows, list.totalCount, {
        keyOf: (row) => keyOfRow(sortKey, row),
        toNode: (row) => toUserView(row, list.apiKeys),
      });
    },
  },
  Mutation: {
    bootstrapAdmin: async (
      _root,
      { input }: { input: { email: string; password: string } },
      context: ApiContext,
    ) => {
      authorize(context, 'user.bootstrapAdmin');
      assertPasswordAccepted(input.password);
      const userId = userIdForEmail(input.email);
      // The read model may lag a bootstrap that just happened elsewhere; the narrow race that
      // leaves is one of two operators setting up the same empty platform at the same moment.
      if (await hasUsersBesides(context.services.pool, userId)) {
        throw new TributaryError('USER_ALREADY_EXISTS', {
          message: 'The platform already has users; bootstrapAdmin only creates the first admin',
        });
      }
      const passwordHash = await hashPassword(input.password);
      const bootstrappedAt = now(context).toISOString();
      const { position } = await runUserCommand(context, {
        type: 'BootstrapAdmin',
        data: { userId, email: input.email, passwordHash, bootstrappedAt },
      });
      return { userId, position };
    },
    inviteUser: async (_root, { input }: { input: { email: string; role: Role } }, context: ApiContext) => {
      authorize(context, 'user.invite');
      const invitation = newSecretToken();
      const invitedAt = now(context);
      const { userId, events, position } = await runUserCommand(context, {
        type: 'InviteUser',
        data: {
          userId: userIdForEmail(input.email),
          email: input.email,
          role: input.role,
          invitationTokenHash: invitation.hash,
          invitationExpiresAt: hoursAfter(invitedAt, INVITATION_TTL_HOURS),
          invitedAt: invitedAt.toISOString(),
        },
      });
      const invited = eventOf(events, 'UserInvited');
      // A repeat (same Idempotency-Key) returns the first result, whose token was shown then.
      const isFirst = invited?.data.invitationTokenHash === invitation.hash;
      return {
        userId,
        position,
        invitationToken: isFirst ? invitation.token : null,
        invitationExpiresAt: invited?.data.invitationExpiresAt,
      };
    },
    acceptInvitation: async (
      _root,
      { input }: { input: { userId: string; token: string; password: string } },
      context: ApiContext,
    ) => {
      authorize(context, 'user.acceptInvitation');
      assertPasswordAccepted(input.password);
      const { userId, position } = await runUserCommand(context, {
        type: 'AcceptInvitation',
        data: {
          userId: input.userId,
          invitationTokenHash: sha256Hex(input.token),
          passwordHash: await hashPassword(input.password),
          acceptedAt: now(context).toISOString(),
        },
      });
      return { userId, position };
    },
    requestEmailVerification: async (_root, { id }: { id: string }, context: ApiContext) => {
      authorize(context, 'user.requestEmailVerification', { userId: id });
      const { position, expiresAt } = await requestEmailVerification(
        {
          eventStore: context.services.eventStore,
          mailSender: context.services.mailSender ?? context.sessionTokens?.mailSender,
          now: () => now(context),
        },
        id,
        { actor: context.actor, commandId: context.commandId, correlationId: context.correlationId },
      );
      return { userId: id, position: position === null ? null : String(position), expiresAt };
    },
    verifyEmail: async (
      _root,
      { input }: { input: { userId: string; token: string } },
      context: ApiContext,
    ) => {
      authorize(context, 'user.verifyEmail');
      const { userId, position } = await runUserCommand(context, {
        type: 'VerifyEmail',
        data: {
          userId: input.userId,
          tokenHash: sha256Hex(input.token),
          verifiedAt: now(context).toISOString(),
        },
      });
      return { userId, position };
    },
    changeUserRole: async (_root, { id, role }: { id: string; role: Role }, context: ApiContext) => {
      authorize(context, 'user.changeRole');
      const { userId, position } = await runUserCommand(context, {
        type: 'ChangeRole',
        data: { userId: id, role, changedAt: now(context).toISOString() },
      });
      return { userId, position };
    },
    changePassword: async (
      _root,
      { input }: { input: { userId: string; password: string } },
      context: ApiContext,
    ) => {
      authorize(context, 'user.changePassword', { userId: input.userId });
      assertPasswordAccepted(input.password);
      const { userId, position } = await runUserCommand(context, {
        type: 'ChangePassword',
        data: {
          userId: input.userId,
          passwordHash: await hashPassword(input.password),
          changedAt: now(context).toISOString(),
        },
      });
      return { userId, position };
    },
    unlockUser: simpleMutation('user.unlock', (userId, unlockedAt) => ({
      type: 'UnlockUser',
      data: { userId, unlockedAt },
    })),
    deactivateUser: simpleMutation('user.deactivate', (userId, deactivatedAt) => ({
      type: 'DeactivateUser',
      data: { userId, deactivatedAt },
    })),
    reactivateUser: simpleMutation('user.reactivate', (userId, reactivatedAt) => ({
      type: 'ReactivateUser',
      data: { userId, reactivatedAt },
    })),
    issueApiKey: async (_root, { input }: { input: IssueApiKeyInput }, context: ApiContext) => {
      authorize(context, 'user.issueApiKey', { userId: input.userId });
      const key = newSecretToken(API_KEY_PREFIX);
      const { userId, events, position } = await runUserCommand(context, {
        type: 'IssueApiKey',
        data: {
          userId: input.userId,
          keyId: context.commandId
            ? deterministicId(`apikey:${context.commandId}`)
            : context.services.newId(),
          name: input.name,
          role: input.role,
          pipelineIds: input.pipelineIds ?? undefined,
          keyHash: key.hash,
          prefix: key.token.slice(0, API_KEY_SHOWN_CHARACTERS),
          issuedAt: now(context).toISOString(),
        },
      });
      const issued = eventOf(events, 'ApiKeyIssued');
      const isFirst = issued?.data.keyHash === key.hash;
      return {
        userId,
        keyId: issued?.data.keyId,
        position,
        key: isFirst ? key.token : null,
        prefix: issued?.data.prefix,
      };
    },
    revokeApiKey: async (_root, args: { userId: string; keyId: string }, context: ApiContext) => {
      authorize(context, 'user.revokeApiKey', { userId: args.userId });
      const { userId, position } = await runUserCommand(context, {
        type: 'RevokeApiKey',
        data: { userId: args.userId, keyId: args.keyId, revokedAt: now(context).toISOString() },
      });
      return { userId, keyId: args.keyId, position };
    },
  },
};
