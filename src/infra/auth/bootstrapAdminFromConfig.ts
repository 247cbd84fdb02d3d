import type pg from 'pg';
import { userIdForEmail } from '../../api/resolvers/userInput.js';
import { userDecider, userStreamId } from '../../domain/users/user.js';
import { isTributaryError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { hasUsersBesides } from '../../projections/users/userQueries.js';
import { hashPassword } from '../crypto/passwordHasher.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { handleCommand } from '../eventstore/handleCommand.js';

/**
 * The first admin from BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD, created once: on a
 * platform that already has this user, or any other, it does nothing, so the variables can stay
 * set across restarts. The password is hashed here and never logged.
 */
export const bootstrapAdminFromConfig = async (options: {
  admin: { email: string; password: string };
  eventStore: EventStore;
  pool: pg.Pool;
  logger: Logger;
  now(): Date;
}): Promise<'created' | 'skipped'> => {
  const userId = userIdForEmail(options.admin.email);
  const exists = (await options.eventStore.readStream(userStreamId(userId), { maxCount: 1 })).length > 0;
  if (exists || (await hasUsersBesides(options.pool, userId))) return 'skipped';
  const at = options.now().toISOString();
  try {
    await handleCommand(
      options.eventStore,
      userDecider,
      userStreamId(userId),
      {
        type: 'BootstrapAdmin',
        data: {
          userId,
          email: options.admin.email,
          passwordHash: await hashPassword(options.admin.password),
          bootstrappedAt: at,
        },
      },
      // Two instances starting at once write it once: the command id makes the second a repeat.
      { actor: 'bootstrap', commandId: `bootstrap-admin:${userId}`, occurredAt: at },
    );
  } catch (error) {
    if (isTributaryError(error) && error.code === 'USER_ALREADY_EXISTS') return 'skipped';
    throw error;
  }
  options.logger.info({ userId, email: options.admin.email }, 'created the first admin from config');
  return 'created';
};
