import type { IResolvers } from 'mercurius';
import { ValidationError } from '../../errors.js';
import type { SearchKind } from '../../projections/search/searchDocument.js';
import { searchDocuments, suggestTitles } from '../../projections/search/searchQueries.js';
import type { ApiContext } from '../apiServices.js';
import { authorize } from '../authorize.js';

const MAX_QUERY_LENGTH = 200;
const MAX_FIRST = 100;
const SUGGESTIONS = 5;

interface SearchArgs {
  q: string;
  first: number;
  kinds?: SearchKind[] | null;
}

/** Search over pipelines, connectors, users and runs, with suggestions for misspelt queries. */
export const searchResolvers: IResolvers = {
  Query: {
    search: async (_root, { q, first, kinds }: SearchArgs, context: ApiContext) => {
      authorize(context, 'search.read');
      const problems = [
        ...(q.length > MAX_QUERY_LENGTH
          ? [{ path: 'q', message: `must be at most ${MAX_QUERY_LENGTH} characters` }]
          : []),
        ...(Number.isInteger(first) && first >= 0 && first <= MAX_FIRST
          ? []
          : [{ path: 'first', message: `must be a whole number from 0 to ${MAX_FIRST}` }]),
      ];
      if (problems.length > 0) throw new ValidationError(problems);
      const options = { kinds: kinds && kinds.length > 0 ? kinds : null };
      const [hits, suggestions] = await Promise.all([
        searchDocuments(context.services.pool, q, { ...options, first }),
        suggestTitles(context.services.pool, q, { ...options, first: SUGGESTIONS }),
      ]);
      return { hits, suggestions };
    },
  },
};
