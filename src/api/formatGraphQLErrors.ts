import { type ExecutionResult, GraphQLError } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { errorCodes, isTributaryError } from '../errors.js';

type Execution = ExecutionResult & Required<Pick<ExecutionResult, 'errors'>> & { statusCode?: number };

const withCode = (error: GraphQLError, extensions: Record<string, unknown>, message = error.message) => ({
  ...error.toJSON(),
  message,
  extensions,
});

/**
 * Every error leaves with a stable `extensions.code` from the registry. Errors of the query
 * itself (syntax, unknown field, bad variable) are INVALID_QUERY; domain errors keep their code
 * and, for validation, the field problems; anything else is INTERNAL_ERROR with a generic
 * message, and the original is logged, never sent.
 */
export const formatGraphQLErrors = (execution: Execution, context: MercuriusContext) => {
  const log = context.reply?.log ?? context.app.log;
  const errors = execution.errors.flatMap((error) => {
    const original = error.originalError as (Error & { errors?: GraphQLError[] }) | undefined;
    // Mercurius wraps all validation errors of a query in one error carrying the list.
    if (original && Array.isArray(original.errors)) {
      return original.errors.map((inner) =>
        withCode(inner, { code: 'INVALID_QUERY', category: 'VALIDATION' }),
      );
    }
    if (!original || original instanceof GraphQLError) {
      return [withCode(error, { code: 'INVALID_QUERY', category: 'VALIDATION' })];
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
  const statusCode = execution.data ? 200 : (execution.statusCode ?? 200);
  return { statusCode, response: { data: execution.data ?? null, errors } };
};
