import type pg from 'pg';

/** The position the relay `name` last committed; 0 when it never ran. */
export const readRelayCheckpoint = async (pool: pg.Pool, name: string): Promise<number> => {
  const { rows } = await pool.query<{ position: number }>(
    'SELECT position FROM relay_checkpoints WHERE name = $1',
    [name],
  );
  return rows[0]?.position ?? 0;
};

/**
 * Moves the checkpoint of relay `name` forward to `position`, never back: a leader that lost its
 * lock without noticing yet may still finish a batch behind the new leader, and its late write
 * must not make the new leader's successor publish everything since again.
 */
export const saveRelayCheckpoint = async (pool: pg.Pool, name: string, position: number): Promise<void> => {
  await pool.query(
    `INSERT INTO relay_checkpoints (name, position) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
     WHERE relay_checkpoints.position < EXCLUDED.position`,
    [name, position],
  );
};
