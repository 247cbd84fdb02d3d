import mercurius, { type IResolvers } from 'mercurius';
import { maskEmails } from '../../domain/permissions/maskEmails.js';
import { ValidationError } from '../../errors.js';
import { type AuditEntryView, toAuditEntryView } from '../../projections/audit/auditEntry.js';
import { AUDIT_EVENT } from '../../projections/audit/auditProjection.js';
import { type AuditFilter, listAuditEntries } from '../../projections/audit/auditQueries.js';
import type { ApiContext } from '../apiServices.js';
import { authorize, isAllowed } from '../authorize.js';
import { type ConnectionArgs, pageRequest, toConnection } from './connection.js';

// mercurius is CommonJS; Node's ESM loader cannot see its named exports, only the default.
const { withFilter } = mercurius;

const instant = (text: string | null | undefined, path: string): number | null => {
  if (text == null) return null;
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new ValidationError([{ path, message: 'must be an ISO-8601 instant' }]);
  return time;
};

const mayReadUsers = (context: ApiContext) => isAllowed(context.principal, 'user.read');

/** Whether a live entry passes the filter a subscriber gave, as `auditLog` would filter it. */
const matches = (entry: AuditEntryView, filter: AuditFilter): boolean => {
  const recordedAt = Date.parse(entry.recordedAt);
  const from = instant(filter.from, 'filter.from');
  const to = instant(filter.to, 'filter.to');
  return (
    (!filter.stream || entry.stream === filter.stream) &&
    (!filter.actor || entry.actor === filter.actor) &&
    (!filter.type || entry.type === filter.type) &&
    (from === null || recordedAt >= from) &&
    (to === null || recordedAt < to)
  );
};

/** The audit log: every event of every stream, newest first, and live as it is recorded. */
export const auditResolvers: IResolvers = {
  Query: {
    auditLog: async (_root, args: ConnectionArgs & { filter?: AuditFilter | null }, context: ApiContext) => {
      authorize(context, 'audit.read');
      const filter = args.filter ?? {};
      instant(filter.from, 'filter.from');
      instant(filter.to, 'filter.to');
      const request = pageRequest(args, {
        ordering: 'auditLog:position:desc',
        isKey: (key) => key.length === 1 && typeof key[0] === 'string' && /^[1-9]\d{0,15}$/.test(key[0]),
      });
      const before = request.after?.[0];
      const rows = await listAuditEntries(context.services.pool, filter, {
        before: before === undefined ? null : Number(before),
        limit: request.limit,
      });
      // The schema has no totalCount for the audit log: counting every event ever recorded is
      // not a price to pay on each page.
      return toConnection(request, rows, 0, {
        keyOf: (row) => [String(row.position)],
        toNode: toAuditEntryView,
      });
    },
  },
  Subscription: {
    auditEvents: {
      subscribe: withFilter(
        (_root, args: { filter?: AuditFilter | null }, context: ApiContext) => {
          authorize(context, 'audit.read');
          instant(args.filter?.from, 'filter.from');
          instant(args.filter?.to, 'filter.to');
          return context.pubsub.subscribe(AUDIT_EVENT);
        },
        (entry: AuditEntryView, args: { filter?: AuditFilter | null }) => matches(entry, args.filter ?? {}),
      ),
      resolve: (entry: AuditEntryView) => entry,
    },
  },
  // Row level: users' e-mail addresses (in summaries, and in the data of user events) only for
  // roles that may read users; others see them cut short, enough to tell entries apart.
  AuditEntry: {
    summary: (entry: AuditEntryView, _args, context: ApiContext) =>
      mayReadUsers(context) ? entry.summary : maskEmails(entry.summary),
    data: (entry: AuditEntryView, _args, context: ApiContext) => {
      const data = JSON.stringify(entry.data);
      return mayReadUsers(context) ? data : maskEmails(data);
    },
  },
};
