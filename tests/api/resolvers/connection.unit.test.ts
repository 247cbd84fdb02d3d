import { describe, expect, it } from 'vitest';
import { pageRequest, toConnection } from '../../../src/api/resolvers/connection.js';
import { TributaryError } from '../../../src/errors.js';

interface Row {
  id: string;
  name: string;
}
const rows: Row[] = ['a', 'b', 'c', 'd'].map((name, index) => ({ id: `r-${index}`, name }));
const map = { keyOf: (row: Row) => [row.name, row.id], toNode: (row: Row) => ({ id: row.id }) };
const ordering = 'things:name:asc';

const problemsOf = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(TributaryError);
    return { code: (error as TributaryError).code, problems: (error as TributaryError).problems };
  }
  throw new Error('expected the arguments to be refused');
};

describe('connection helper', () => {
  it('asks the query for one row more than the page shows, and says whether more follow', () => {
    const request = pageRequest({ first: 3 }, { ordering });
    expect(request).toEqual({ first: 3, limit: 4, after: null, ordering });

    const page = toConnection(request, rows, 10, map);
    expect(page.edges.map((edge) => edge.node)).toEqual([{ id: 'r-0' }, { id: 'r-1' }, { id: 'r-2' }]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[2]?.cursor });
    expect(page.totalCount).toBe(10);

    const last = toConnection(request, rows.slice(3), 10, map);
    expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: last.edges[0]?.cursor });
  });

  it('gives back, from a cursor, the key of the row it was made for', () => {
    const page = toConnection(pageRequest({ first: 2 }, { ordering }), rows, 4, map);
    const next = pageRequest({ first: 2, after: page.pageInfo.endCursor }, { ordering });
    expect(next.after).toEqual(['b', 'r-1']);
  });

  it('answers an empty page with no end cursor', () => {
    const page = toConnection(pageRequest({ first: 0 }, { ordering }), rows, 4, map);
    expect(page).toEqual({ edges: [], pageInfo: { hasNextPage: true, endCursor: null }, totalCount: 4 });
  });

  it('takes the default page size when first is null', () => {
    expect(pageRequest({ first: null }, { ordering }).first).toBe(20);
    expect(pageRequest({}, { ordering, defaultFirst: 5 }).first).toBe(5);
  });

  it('refuses a page size out of bounds, naming first', () => {
    const message = 'must be a whole number from 0 to 100';
    for (const first of [-1, 101, 1.5]) {
      expect(problemsOf(() => pageRequest({ first }, { ordering }))).toEqual({
        code: 'VALIDATION_FAILED',
        problems: [{ path: 'first', message }],
      });
    }
    expect(pageRequest({ first: 500 }, { ordering, maxFirst: 500 }).first).toBe(500);
  });

  it('refuses a cursor of another order, an altered one, or one whose key the list would not take', () => {
    const cursor = toConnection(pageRequest({ first: 1 }, { ordering }), rows, 4, map).pageInfo.endCursor;
    const refused = {
      code: 'VALIDATION_FAILED',
      problems: [
        { path: 'after', message: 'is not a cursor of this list in this order; start again without after' },
      ],
    };
    expect(problemsOf(() => pageRequest({ after: cursor }, { ordering: 'things:name:desc' }))).toEqual(
      refused,
    );
    expect(problemsOf(() => pageRequest({ after: 'not-a-cursor' }, { ordering }))).toEqual(refused);
    const altered = Buffer.from(JSON.stringify([ordering, 1, 'r-0'])).toString('base64url');
    expect(problemsOf(() => pageRequest({ after: altered }, { ordering }))).toEqual(refused);
    const isKey = (key: readonly unknown[]) => key.length === 3;
    expect(problemsOf(() => pageRequest({ after: cursor }, { ordering, isKey }))).toEqual(refused);
  });
});
