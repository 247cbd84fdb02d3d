import type pg from 'pg';
import type { OffsetReset } from './log.js';

/** Per partition, the offset its next record will get; no transaction holds offsets back here. */
export const postgresEndOffsets = async (pool: pg.Pool, topic: string): Promise<Map<number, number>> => {
  const { rows } = await pool.query<{ partition: number; next: string }>(
    'SELECT partition, next_offset AS next FROM log_partitions WHERE topic = $1 ORDER BY partition',
    [topic],
  );
  return new Map(rows.map(({ partition, next }) => [partition, Number(next)]));
};

export const postgresCommittedOffsets = async (
  pool: pg.Pool,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> => {
  const { rows } = await pool.query<{ partition: number; committed: string }>(
    `SELECT partition, committed_offset AS committed FROM log_group_offsets
     WHERE group_id = $1 AND topic = $2 ORDER BY partition`,
    [groupId, topic],
  );
  return new Map(rows.map(({ partition, committed }) => [partition, Number(committed)]));
};

/**
 * Sets the group's offsets on every partition of the topic, also backwards (a commit only ever
 * moves them forwards). The first offset a partition holds is 0: records are never deleted.
 */
export const postgresResetGroupOffsets = async (
  pool: pg.Pool,
  groupId: string,
  topic: string,
  to: OffsetReset,
): Promise<void> => {
  // Per partition: earliest is 0; an offset is clamped to [0, end]; a timestamp finds the first
  // record at or after it, or the end where none is.
  const target =
    to === 'earliest'
      ? { sql: '0', params: [] }
      : 'offset' in to
        ? { sql: 'LEAST(GREATEST($3::bigint, 0), p.next_offset)', params: [to.offset] }
        : {
            sql: `coalesce((SELECT min(r."offset") FROM log_records r
                    WHERE r.topic = p.topic AND r.partition = p.partition AND r.timestamp_ms >= $3), p.next_offset)`,
            params: [to.timestamp],
          };
  await pool.query(
    `INSERT INTO log_group_offsets (group_id, topic, partition, committed_offset)
     SELECT $1, p.topic, p.partition, ${target.sql} FROM log_partitions p WHERE p.topic = $2
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET committed_offset = EXCLUDED.committed_offset`,
    [groupId, topic, ...target.params],
  );
};
