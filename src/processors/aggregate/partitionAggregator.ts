import type { JsonRecord } from '../transform/jsonRecord.js';

/**
 * One window and key's result. `kafkaKey` is `<key>@<windowStart ISO>`, so the output is an
 * upsert stream keyed by window and key. `record` is null for a retract: in `onUpdate` mode, a
 * session merged into another no longer exists under its old key. `final` is true once the
 * window has closed: nothing will change it again.
 */
export interface WindowResult {
  kafkaKey: string;
  record: JsonRecord | null;
  final: boolean;
}

/** One entry of the state's changelog (a compacted topic): null deletes the key. */
export interface StateChange {
  key: string;
  value: Buffer | null;
}

export type AddOutcome = { accepted: true } | { accepted: false; latenessMs: number; reason: string };

/**
 * The windows of one source partition: pure state, no I/O, no clock (time is event time).
 *
 * Watermark: the greatest event time among the records this partition applied (Kafka Streams'
 * stream time), -Infinity before any. With `L` the allowed lateness:
 * - tumbling and hopping: a window [start, end) is closed once `end + L <= watermark`. A
 *   record is late when every window it falls in is closed; otherwise it is applied to the
 *   windows of its that are still open (a hopping record may miss its oldest ones).
 * - session: a session [start, end) (end = its last record's time + gap) is closed once
 *   `end + L <= watermark`; a record at `t` is late when `t + L < watermark`. Then a record
 *   that is not late can never touch a closed session: it starts at or after every closed
 *   session's end, so a closed session is final.
 * Either way a window is closed exactly when no future record that is not late could change
 * it, so what is emitted as final is what an offline computation over the accepted records
 * gives. Late records change nothing (the caller sends them to the DLQ with `reason`).
 */
export interface PartitionAggregator {
  readonly partition: number;
  /**
   * Applies one record (already through the steps before aggregate); offset is the source
   * offset. Throws a StepFailure for a record whose key, event time or measure expression fails
   * or gives a value of the wrong type; such a record changes no window either.
   */
  add(record: JsonRecord, context: { partition: number; timestamp: number; offset: number }): AddOutcome;
  /**
   * Notes a source record that never reached `add` (a step before aggregate dropped it or
   * failed on it), so `nextOffset` moves past it.
   */
  skip(offset: number): void;
  /**
   * Results since the last call: windows the watermark closed (final) and, when emit is
   * onUpdate, every other window changed since the last call (final false), with retracts for
   * sessions merged away. Order: by window end, then key. Closed windows leave the state here,
   * so call this before `drainChanges`, and commit both together.
   */
  drainResults(): WindowResult[];
  /**
   * State entries changed since the last call (open windows' accumulators, closed ones deleted,
   * and the `meta` entry holding the watermark and nextOffset), serialized only now. Replaying
   * all changes ever drained, the last value per key winning and null deleting, into `restore`
   * gives an aggregator that behaves exactly like this one.
   */
  drainChanges(): StateChange[];
  /**
   * The source offset after the last record given to `add` or `skip` (applied, late or failed
   * alike: the caller has dealt with each), where a restored partition resumes; -1 when no
   * record has been seen (resume from the group's committed offset).
   */
  readonly nextOffset: number;
  /** The greatest event time applied, -Infinity before any. */
  readonly watermark: number;
  readonly openWindows: number;
}

/** A version's aggregate step, compiled once: one aggregator per partition it is given. */
export interface AggregateEngine {
  /** An aggregator with empty state. */
  forPartition(partition: number): PartitionAggregator;
  /** An aggregator holding the state that these changelog entries (key, value) describe. */
  restore(partition: number, entries: Iterable<[string, Buffer]>): PartitionAggregator;
}
