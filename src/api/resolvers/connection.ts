import { ValidationError } from '../../errors.js';

/** The arguments of a Relay-style list field: `first` items after the cursor `after`. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
}

export interface Edge<Node> {
  node: Node;
  cursor: string;
}

/** A page of a list as GraphQL's `…Connection` types return it (see connection.graphql). */
export interface Connection<Node> {
  edges: Edge<Node>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** What a list query needs to read one page. */
export interface PageRequest {
  /** How many items the client asked for. */
  first: number;
  /** Rows to read: one more than `first`, so the extra one tells whether another page follows. */
  limit: number;
  /** The key of the last item of the previous page, from `after`; null on the first page. */
  after: string[] | null;
  /** The list and order the cursors belong to. */
  ordering: string;
}

export interface PageOptions {
  /**
   * Names the list and its order, such as `users:email:asc`. Cursors carry it, so a cursor from
   * another list or order is refused instead of silently paging from the wrong place.
   */
  ordering: string;
  /** Whether a decoded key has the shape the query expects (clients can alter cursors). */
  isKey?: (key: readonly unknown[]) => boolean;
  /** The most items one page may hold; 100 unless given. */
  maxFirst?: number;
  /** The page size when `first` is null; 20 unless given (the SDL's default applies before this). */
  defaultFirst?: number;
}

const DEFAULT_MAX_FIRST = 100;
const DEFAULT_FIRST = 20;

// Opaque to clients, not secret: base64url of JSON, so it survives URLs and query strings.
const encodeCursor = (ordering: string, key: readonly string[]): string =>
  Buffer.from(JSON.stringify([ordering, ...key]), 'utf8').toString('base64url');

const decodeCursor = (cursor: string, options: PageOptions): string[] => {
  const refuse = () =>
    new ValidationError([
      { path: 'after', message: 'is not a cursor of this list in this order; start again without after' },
    ]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(decoded) || decoded[0] !== options.ordering) throw refuse();
  const key: unknown[] = decoded.slice(1);
  if (!key.every((part) => typeof part === 'string')) throw refuse();
  if (options.isKey && !options.isKey(key)) throw refuse();
  return key as string[];
};

/** Reads `first` and `after` into a page request, refusing either one by its argument name. */
export const pageRequest = (args: ConnectionArgs, options: PageOptions): PageRequest => {
  const maxFirst = options.maxFirst ?? DEFAULT_MAX_FIRST;
  const first = args.first ?? options.defaultFirst ?? DEFAULT_FIRST;
  if (!Number.isInteger(first) || first < 0 || first > maxFirst) {
    throw new ValidationError([{ path: 'first', message: `must be a whole number from 0 to ${maxFirst}` }]);
  }
  const after = args.after ? decodeCursor(args.after, options) : null;
  return { first, limit: first + 1, after, ordering: options.ordering };
};

/**
 * Turns the rows a list query read for `request` (up to `request.limit`) into a connection.
 * `keyOf` gives the key a row's cursor holds: the values the query orders by, in that order,
 * ending with something unique, so the next page starts exactly after it.
 */
export const toConnection = <Row, Node>(
  request: PageRequest,
  rows: readonly Row[],
  totalCount: number,
  map: { keyOf(row: Row): readonly string[]; toNode(row: Row): Node },
): Connection<Node> => {
  const edges = rows.slice(0, request.first).map((row) => ({
    node: map.toNode(row),
    cursor: encodeCursor(request.ordering, map.keyOf(row)),
  }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > request.first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
};
