import { isKeyFor, keyOfRow } from '../../projections/keysetPage.js';
import { RUN_SORT_KEY } from '../../projections/runs/runQueries.js';
import type { RunRow } from '../../projections/runs/runRow.js';
import { toRunView } from '../../projections/runs/runView.js';
import { type ConnectionArgs, type PageRequest, pageRequest, toConnection } from './connection.js';

/** A page of runs as `first` and `after` ask; every list of runs is newest request first. */
export const runPageRequest = (args: ConnectionArgs): PageRequest =>
  pageRequest(args, { ordering: 'runs:requestedAt:desc', isKey: isKeyFor(RUN_SORT_KEY) });

export const toRunConnection = (request: PageRequest, rows: readonly RunRow[], totalCount: number) =>
  toConnection(request, rows, totalCount, { keyOf: (row) => keyOfRow(RUN_SORT_KEY, row), toNode: toRunView });
