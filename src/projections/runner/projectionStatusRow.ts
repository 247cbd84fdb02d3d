/** What a runner writes in `projection_status`; see projectionMigrations.ts. */
export type ProjectionState = 'running' | 'standby' | 'rebuilding' | 'failed' | 'stopped';

/** A row of `projection_status`. */
export interface ProjectionStatusRow {
  name: string;
  status: ProjectionState;
  generation: number;
  schema_name: string;
  /** The checkpoint of the current generation. */
  position: number;
  head: number;
  leader: string | null;
  error_message: string | null;
  error_position: number | null;
  failed_at: Date | null;
  resume_requested_at: Date | null;
  rebuild_requested_at: Date | null;
  rebuild_generation: number | null;
  rebuild_schema: string | null;
  /** The checkpoint of the generation being built. */
  rebuild_position: number | null;
  rebuild_done: number | null;
  rebuild_total: number | null;
  rebuild_rate: number | null;
  rebuild_started_at: Date | null;
  last_rebuild_error: string | null;
  last_rebuild_error_position: number | null;
  last_rebuild_failed_at: Date | null;
  last_rebuilt_at: Date | null;
  updated_at: Date;
}
