import type { Migration } from '../infra/postgres/migrate.js';

/**
 * The processors' own tables, in the main schema, on PostgreSQL whichever log runs.
 * `run_partition_counts`: what each run did on each source partition, added to by every process
 * that handled a batch of it, so one run's progress sums the work of all its processes.
 * `batch_run_bounds`: where a batch run ends on each source partition, fixed when it first starts,
 * so a process that takes over a run whose executor died drains the same range.
 */
export const processorMigrations: Migration[] = [
  {
    id: 'processors-001-run-counts-batch-bounds',
    sql: `CREATE TABLE run_partition_counts (
            run_id text NOT NULL,
            topic text NOT NULL,
            partition integer NOT NULL,
            records_in bigint NOT NULL DEFAULT 0,
            records_out bigint NOT NULL DEFAULT 0,
            records_filtered bigint NOT NULL DEFAULT 0,
            records_failed bigint NOT NULL DEFAULT 0,
            records_dlq bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, topic, partition)
          );
          CREATE TABLE batch_run_bounds (
            run_id text PRIMARY KEY,
            source_topic text NOT NULL,
            end_offsets jsonb NOT NULL,
            started_by text NOT NULL,
            started_at timestamptz NOT NULL DEFAULT now()
          );`,
  },
];
