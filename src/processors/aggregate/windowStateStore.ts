import type { Log, ProducedRecord } from '../../infra/log/log.js';
import type { AggregateEngine, PartitionAggregator, StateChange } from './partitionAggregator.js';

/**
 * The changelog of a version's window state. The version is part of the name: a new version may
 * key, window or measure differently, so it starts from empty state rather than misreading the
 * old one. A run with a consumer group of its own (a batch run) keeps state of its own too.
 */
export const stateChangelogTopicOf = (pipelineId: string, version: number, groupId?: string) =>
  groupId === undefined
    ? `tributary.state.${pipelineId}.v${version}`
    : `tributary.state.${pipelineId}.v${version}.${groupId}`;

export interface WindowStateStore {
  readonly topic: string;
  /**
   * The partition's aggregator for a batch starting at `firstOffset`, delivered under
   * `assignment` (ConsumedBatch.assignment). The one held is used when it stands exactly there,
   * or before it within the same assignment (the gap is the topic's: transaction markers,
   * compaction). Otherwise the state is restored from the changelog, which holds what was
   * committed: none is held (a start, or a partition that moved here), the batch comes again
   * (its earlier attempt failed, or its commit did), or the partition may have been processed
   * elsewhere meanwhile (a new assignment). Records below the aggregator's `nextOffset` were
   * applied already and must be skipped.
   */
  aggregatorFor(partition: number, firstOffset: number, assignment?: number): Promise<PartitionAggregator>;
  /** Drops the partition's aggregator: its batch failed, so its changes were not committed. */
  forget(partition: number): void;
  /** The aggregator's changes since the last call as changelog records (tombstones for deletes). */
  changelogRecords(aggregator: PartitionAggregator): ProducedRecord[];
  /** How many restores ran and how long they took in all, for logs and benchmarks. */
  readonly restores: { count: number; ms: number; entries: number };
}

export interface WindowStateStoreOptions {
  log: Log;
  engine: AggregateEngine;
  topic: string;
  sourceTopic: string;
}

/**
 * Window state kept the Kafka Streams way: in memory per source partition, every change written
 * to a compacted changelog topic through the batch's context, so that in exactly-once mode the
 * changes commit with the window results and the source offsets. The changelog is co-partitioned
 * with the source: state of source partition p lives in changelog partition p, set explicitly, so
 * whichever process is given p restores it from p alone.
 */
export const openWindowStateStore = async (options: WindowStateStoreOptions): Promise<WindowStateStore> => {
  const { log, engine, topic, sourceTopic } = options;
  const partitions = (await log.endOffsets(sourceTopic)).size;
  await log.ensureTopic(topic, { partitions, compacted: true });
  const held = new Map<number, { aggregator: PartitionAggregator; assignment: number | undefined }>();
  const restores = { count: 0, ms: 0, entries: 0 };

  const restore = async (partition: number): Promise<PartitionAggregator> => {
    const started = performance.now();
    // Last value per key wins and a tombstone deletes: what compaction would leave.
    const entries = new Map<string, Buffer>();
    await log.readPartition(topic, partition, (records) => {
      for (const { key, value } of records) {
        if (key === null) continue;
        const name = key.toString();
        if (value === null) entries.delete(name);
        else entries.set(name, value);
      }
    });
    const aggregator = engine.restore(partition, entries.entries());
    restores.count += 1;
    restores.ms += performance.now() - started;
    restores.entries += entries.size;
    return aggregator;
  };

  return {
    topic,
    restores,
    async aggregatorFor(partition, firstOffset, assignment) {
      const current = held.get(partition);
      if (current) {
        const { nextOffset } = current.aggregator;
        const sameAssignment = assignment !== undefined && assignment === current.assignment;
        if (firstOffset === nextOffset || (firstOffset > nextOffset && sameAssignment)) {
          current.assignment = assignment;
          return current.aggregator;
        }
      }
      held.delete(partition);
      const restored = await restore(partition);
      held.set(partition, { aggregator: restored, assignment });
      return restored;
    },
    forget(partition) {
      held.delete(partition);
    },
    changelogRecords(aggregator) {
      const changes: StateChange[] = aggregator.drainChanges();
      const partition = aggregator.partition;
      return changes.map(({ key, value }) => ({ key: Buffer.from(key), value, partition }));
    },
  };
};
