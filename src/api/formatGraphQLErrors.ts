import { type ExecutionResult, GraphQLError } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { errorCodes, isTributaryError } from '../errors.js';
import { asRejectedRequest, limitErrorExtensions } from './queryLimits.js';

type Execution = ExecutionResult & Required<Pick<ExecutionResult, 'errors'>> & { statusCode?: number };

const withCode = (error: GraphQLError, extensions: Record<string, unknown>, message = error.message) => ({
  ...error.toJSON(),
  message,
  extensions,
});

// A query refused before it ran: the code of the limit it broke, else INVALID_QUERY. Mercurius
// also reports plain errors here (a body that is not a GraphQL request), without toJSON.
const queryError = (error: Error) =>
  withCode(
    error instanceof GraphQLError ? error : new GraphQLError(error.message),
    limitErrorExtensions(error) ?? { code: 'INVALID_QUERY', category: 'VALIDATION' },
  );

/**
 * Every error leaves with a stable `extensions.code` from the registry. Errors of the query
 * itself (syntax, unknown field, bad variable) are INVALID_QUERY; domain errors keep their code
 * and, for validation, the field problems; a request refused by a limit carries the limit's code
 * (QUERY_TOO_COSTLY, QUERY_TOO_DEEP, REQUEST_TOO_LARGE) and, when Fastify refused the HTTP
 * request itself, its HTTP status. Anything else is INTERNAL_ERROR with a generic message, and
 * the original is logged, never sent.
 */
export const formatGraphQLErrors = (execution: Execution, context: MercuriusContext) => {
  const log = context.reply?.log ?? context.app.log;
  let statusCode = execution.data ? 200 : (execution.statusCode ?? 200);
  const errors = execution.errors.flatMap((error) => {
    const original = error.originalError as (Error & { errors?: Error[] }) | undefined;
    // Mercurius wraps all validation errors of a query in one error carrying the list.
    if (original && Array.isArray(original.errors)) return original.errors.map(queryError);
    if (!original || original instanceof GraphQLError) return [queryError(error)];
    const rejected = asRejectedRequest(original, context.app.initialConfig.bodyLimit ?? 0);
    if (rejected) {
      statusCode = rejected.statusCode;
      const extensions = { code: rejected.code, category: rejected.category, ...rejected.details };
      return [withCode(error, extensions, rejected.message)];
    }
    if (isTributaryError(original)) {
      const problems = original.problems.length > 0 ? { problems: original.problems } : {};
      return [withCode(error, { code: original.code, category: original.category, ...problems })];
    }
    log.error({ err: original, path: error.path }, 'unexpected error in a GraphQL operation');
    return [
      withCode(error, { code: 'INTERNAL_ERROR', category: 'INTERNAL' }, errorCodes.INTERNAL_ERROR.message),
    ];
  });
  return { statusCode, response: { data: execution.data ?? null, errors } };
};
