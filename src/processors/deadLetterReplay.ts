import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineState } from '../domain/pipelines/pipeline.js';
import { isConnectorReference } from '../domain/pipelines/pipelineDefinition.js';
import { TributaryError } from '../errors.js';
import type { ConsumedRecord, Log, LogRecord } from '../infra/log/log.js';
import { deadLetterTopicOf } from './pipelineProcessor.js';

/** The consumer group that marks a pipeline's dead letters as replayed. */
export const deadLetterReplayGroupOf = (pipelineId: string) => `tributary.dlq-replay.${pipelineId}`;

export const REPLAYED_FROM_HEADER = 'tributary-replayed-from';

export interface DeadLetterReplayProgress {
  /** Dead letters this call has produced back to the source so far. */
  replayed: number;
  /** Dead letters there were to replay when the call started. */
  total: number;
}

export interface DeadLetterReplayOptions {
  log: Log;
  pipelineId: string;
  sourceTopic: string;
  onProgress?: (progress: DeadLetterReplayProgress) => void;
  /** How often the group's committed offsets are read to see whether it is done. */
  pollMs?: number;
}

/**
 * The topic dead letters go back to: the source of the version the pipeline publishes now, which
 * is the one that will process them again.
 */
export const replayTopicOf = (pipeline: PipelineState): string => {
  if (pipeline.status === 'none') throw new TributaryError('PIPELINE_NOT_FOUND');
  if (pipeline.status === 'archived') throw new TributaryError('PIPELINE_ARCHIVED');
  const { source } = pipeline.definition;
  if (isConnectorReference(source)) throw new TributaryError('PIPELINE_SOURCE_NOT_A_TOPIC');
  return source.topic;
};

const isLineage = (header: string) => header.startsWith('tributary-');

/**
 * The dead letter as its source record was: the same key, value and timestamp, its own headers
 * without the lineage and error headers the processor added, and where it was replayed from.
 */
export const toReplayedRecord = (record: ConsumedRecord): LogRecord => ({
  key: record.key,
  value: record.value,
  timestamp: record.timestamp,
  headers: {
    ...Object.fromEntries(Object.entries(record.headers).filter(([name]) => !isLineage(name))),
    [REPLAYED_FROM_HEADER]: `${record.topic}/${record.partition}/${record.offset}`,
  },
});

/**
 * Produces the pipeline's dead letters back to its source topic, so the pipeline processes them
 * again (after a fix), and returns how many this call replayed. Reads the DLQ topic with one
 * group per pipeline, transactionally: a dead letter goes back exactly once, even across calls
 * and crashes, and a dead letter that fails again comes back to the DLQ as a new one.
 *
 * It ends when the group has passed the end offsets the DLQ had when the call started. Records
 * that arrive meanwhile and fall in a batch are replayed too rather than skipped. Done is read
 * from the group's committed offsets, not from what this call saw, so calls in two processes at
 * once (whose Kafka consumers share the partitions) both end. Calls in one process take turns:
 * the embedded log does not balance a group's consumers, each would read every partition.
 */
export const replayDeadLetters = (options: DeadLetterReplayOptions): Promise<{ replayed: number }> => {
  const before = underway.get(options.pipelineId) ?? Promise.resolve();
  const replay = before.catch(() => undefined).then(() => replayOnce(options));
  const settled = replay.catch(() => undefined);
  underway.set(options.pipelineId, settled);
  void settled.then(() => {
    if (underway.get(options.pipelineId) === settled) underway.delete(options.pipelineId);
  });
  return replay;
};

// By pipeline id, the last replay under way in this process.
const underway = new Map<string, Promise<unknown>>();

const replayOnce = async (options: DeadLetterReplayOptions): Promise<{ replayed: number }> => {
  const { log, pipelineId, sourceTopic, onProgress, pollMs = 200 } = options;
  const topic = deadLetterTopicOf(pipelineId);
  const groupId = deadLetterReplayGroupOf(pipelineId);
  await log.ensureTopic(topic);
  const ends = await log.endOffsets(topic);
  const starts = await startsOf(log, groupId, topic, ends);
  const pending = [...ends].filter(([partition, end]) => end > (starts.get(partition) ?? 0));
  const total = pending.reduce((sum, [partition, end]) => sum + end - (starts.get(partition) ?? 0), 0);
  if (total === 0) return { replayed: 0 };

  let replayed = 0;
  onProgress?.({ replayed, total });
  const consumer = await log.consume({
    groupId,
    topics: [topic],
    fromBeginning: true,
    transactional: true,
    eachBatch: async ({ records }, context) => {
      await context.produce(sourceTopic, records.map(toReplayedRecord));
      replayed += records.length;
      onProgress?.({ replayed, total });
    },
  });
  try {
    for (;;) {
      const committed = await log.committedOffsets(groupId, topic);
      if (pending.every(([partition, end]) => (committed.get(partition) ?? 0) >= end)) break;
      await sleep(pollMs);
    }
  } finally {
    await consumer.stop();
  }
  return { replayed };
};

/**
 * Where the group reads next on each partition. The first replay of a pipeline pins the group
 * at each partition's earliest record: retention may have deleted the first dead letters, and a
 * partition whose records are all gone must count as drained, not be waited for.
 */
const startsOf = async (log: Log, groupId: string, topic: string, ends: Map<number, number>) => {
  const committed = await log.committedOffsets(groupId, topic);
  if (committed.size > 0 || ![...ends.values()].some((end) => end > 0)) return committed;
  await log.resetGroupOffsets(groupId, topic, 'earliest');
  return log.committedOffsets(groupId, topic);
};
