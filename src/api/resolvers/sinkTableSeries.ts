import pg from 'pg';
import { TributaryError, ValidationError } from '../../errors.js';
import { loadConnectorState } from '../../processors/sinks/loadConnectorState.js';
import { quotedTableName } from '../../processors/sinks/sinkTableName.js';
import type { ApiServices } from '../apiServices.js';
import { type ChartRange, chartRangeOf } from './chartRange.js';

export type SeriesCombine = 'sum' | 'min' | 'max' | 'avg';

export interface SeriesArgs {
  name: string;
  filter?: { keys?: string[] | null } | null;
  from: string;
  to: string;
  step?: number | null;
  combine?: SeriesCombine | null;
}

const MAX_KEYS = 20;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;
const MEASURE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
// SQL per combine: chosen from this table only, never from the request's text.
const AGGREGATES: Record<SeriesCombine, string> = { sum: 'sum', min: 'min', max: 'max', avg: 'avg' };

/**
 * The combine a measure's name suggests: its words (split at capitals and underscores) decide.
 * Counts, sums and totals add up; minima and maxima keep theirs; anything else (averages, first,
 * last) is averaged. A distinct count summed over windows over-counts keys seen in several:
 * ask for `combine` to say otherwise.
 */
export const combineOf = (measure: string): SeriesCombine => {
  const words = measure
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split('_');
  if (words.some((word) => word === 'count' || word === 'sum' || word === 'total')) return 'sum';
  if (words.includes('min')) return 'min';
  if (words.includes('max')) return 'max';
  return 'avg';
};

const parseName = (name: string) => {
  const dot = name.lastIndexOf('.');
  const table = dot < 0 ? '' : name.slice(0, dot);
  const measure = name.slice(dot + 1);
  if (!TABLE.test(table) || !MEASURE.test(measure)) {
    throw new ValidationError([
      {
        path: 'name',
        message: 'must be <table>.<measure> (or <schema>.<table>.<measure>), such as sales_per_minute.total',
      },
    ]);
  }
  return { table, measure };
};

/**
 * The connection string of the database holding `table`, from the postgres-table sink connectors
 * that name it. Only those tables can be read: a name no connector gives is refused, so `series`
 * cannot read the platform's own tables or any other.
 */
const sinkConnectionOf = async (services: ApiServices, table: string): Promise<string> => {
  const { rows } = await services.pool.query<{ id: string }>(
    `SELECT id FROM connectors
     WHERE direction = 'sink' AND kind = 'postgres-table' AND NOT deleted AND config->>'table' = $1
     ORDER BY created_at, id`,
    [table],
  );
  if (rows.length === 0) {
    throw new ValidationError([
      {
        path: 'name',
        message: `no postgres-table sink connector writes to the table "${table}": only such tables can be read as series`,
      },
    ]);
  }
  const cipher = services.secretCipher;
  if (!cipher) throw new TributaryError('SECRETS_NOT_CONFIGURED');
  // The read model masks secrets: the encrypted connection string is on the connector's stream.
  const connections = new Set<string>();
  for (const { id } of rows) {
    const state = await loadConnectorState(services.eventStore, id);
    if (state.status === 'active' && state.kind === 'postgres-table' && state.config.table === table) {
      connections.add(cipher.decrypt(state.config.connectionString));
    }
  }
  const [connection, ...others] = connections;
  if (connection === undefined || others.length > 0) {
    throw new ValidationError([
      {
        path: 'name',
        message: `${connections.size} postgres-table sink connectors write to a table "${table}" in different databases: the name is ambiguous`,
      },
    ]);
  }
  return connection;
};

interface SlotRow {
  slot: string;
  key: string | null;
  value: number | null;
  windows: string;
}

const queryWindows = async (
  connectionString: string,
  table: string,
  measure: string,
  combine: SeriesCombine,
  range: ChartRange,
  keys: readonly string[] | null,
): Promise<SlotRow[]> => {
  const client = new pg.Client({
    connectionString,
    statement_timeout: 10_000,
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<SlotRow>(
      `SELECT floor(extract(epoch FROM window_start) / $1)::bigint * $1 AS slot,
              ${keys ? 'key' : 'NULL::text AS key'},
              ${AGGREGATES[combine]}(CASE WHEN jsonb_typeof(measures -> $2::text) = 'number'
                                          THEN (measures ->> $2::text)::float8 END) AS value,
              count(*) AS windows
       FROM ${quotedTableName(table)}
       WHERE window_start >= $3 AND window_start < $4 AND ($5::text[] IS NULL OR key = ANY($5))
       GROUP BY slot${keys ? ', key' : ''}`,
      [range.stepSeconds, measure, range.from.toISOString(), range.to.toISOString(), keys],
    );
    return rows;
  } catch (error) {
    // The sink creates its table at its first start: until then the series is empty.
    if ((error as { code?: string }).code === '42P01') return [];
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** A measure of an aggregate's sink table as chart lines; see `series` in metrics.graphql. */
export const readSeries = async (services: ApiServices, args: SeriesArgs) => {
  const { table, measure } = parseName(args.name);
  const keys = args.filter?.keys ?? null;
  if (keys && (keys.length === 0 || keys.length > MAX_KEYS)) {
    throw new ValidationError([{ path: 'filter.keys', message: `must list 1 to ${MAX_KEYS} keys` }]);
  }
  const range = chartRangeOf(args, 1);
  const combine = args.combine ?? combineOf(measure);
  const connectionString = await sinkConnectionOf(services, table);
  const rows = await queryWindows(connectionString, table, measure, combine, range, keys);
  const bySlot = new Map(rows.map((row) => [`${row.key}\u0000${Number(row.slot) * 1000}`, row]));
  const step = range.stepSeconds * 1000;
  const lines = (keys ?? [null]).map((key) => {
    const points = [];
    for (let time = range.from.getTime(); time < range.to.getTime(); time += step) {
      const row = bySlot.get(`${key}\u0000${time}`);
      points.push({
        time: new Date(time).toISOString(),
        value: row?.value ?? null,
        windows: Number(row?.windows ?? 0),
      });
    }
    return { key, points };
  });
  return { name: args.name, table, measure, stepSeconds: range.stepSeconds, combine, lines };
};
