import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadPipelineState } from '../api/resolvers/loadPipeline.js';
import type { ConsumedRecord, Log } from '../infra/log/log.js';
import { replayDeadLetters, replayTopicOf } from '../processors/deadLetterReplay.js';
import { deadLetterTopicOf } from '../processors/pipelineProcessor.js';
import { progressBar } from './progressBar.js';
import { UsageError } from './usageError.js';
import { withStores } from './withStores.js';

/**
 * `tributary dlq list <pipelineId> [--max n]` and `tributary dlq replay <pipelineId>`: what a
 * pipeline sent to its DLQ topic, and sending it back to the source once the cause is fixed.
 */
export const dlqCommand = async (args: string[]) => {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { max: { type: 'string' } },
  });
  const [action, pipelineId, ...extra] = positionals;
  if (action !== 'list' && action !== 'replay') {
    throw new UsageError(
      `dlq needs list <pipelineId> or replay <pipelineId>${action ? ` (got "${action}")` : ''}`,
    );
  }
  if (!pipelineId || extra.length > 0) throw new UsageError(`dlq ${action} needs exactly one pipeline id`);
  if (action === 'replay') {
    if (values.max !== undefined) throw new UsageError('dlq replay takes no --max');
    return replay(pipelineId);
  }
  const max = values.max === undefined ? Number.POSITIVE_INFINITY : Number(values.max);
  if (!(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max > 0))) {
    throw new UsageError(`--max must be a positive whole number (got "${values.max}")`);
  }
  return withStores(({ log }) => list(log(), pipelineId, max));
};

const toLine = (record: ConsumedRecord) =>
  `${JSON.stringify({
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(record.timestamp).toISOString(),
    key: record.key?.toString('utf8') ?? null,
    error: record.headers['tributary-error'] ?? null,
    step: record.headers['tributary-step'] ?? null,
    source: record.headers['tributary-source'] ?? null,
    version: record.headers['tributary-pipeline-version'] ?? null,
    value: record.value.toString('utf8'),
  })}\n`;

/**
 * Prints the dead letters there are now, up to `max`, as JSON lines, and ends. It reads with a
 * group of its own that nothing reads again, so the pipeline's replay group does not move: a
 * listed dead letter is still replayed by `dlq replay`.
 */
const list = async (log: Log, pipelineId: string, max: number) => {
  const topic = deadLetterTopicOf(pipelineId);
  const ends = await log.endOffsets(topic);
  const pending = new Map([...ends].filter(([, end]) => end > 0));
  if (pending.size === 0) {
    process.stderr.write(`${topic}: no dead letters\n`);
    return;
  }
  let printed = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const consumer = await log.consume({
    groupId: `tributary-cli-dlq-list-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    eachBatch: async ({ partition, records }) => {
      for (const record of records) {
        if (printed >= max || record.offset >= (pending.get(partition) ?? 0)) break;
        process.stdout.write(toLine(record));
        printed++;
      }
      if ((records.at(-1)?.offset ?? -1) >= (pending.get(partition) ?? 0) - 1) pending.delete(partition);
      if (printed >= max || pending.size === 0) finish();
    },
  });
  process.once('SIGINT', finish);
  try {
    await finished;
  } finally {
    process.removeListener('SIGINT', finish);
    await consumer.stop();
  }
};

const replay = (pipelineId: string) =>
  withStores(async ({ eventStore, log }) => {
    const sourceTopic = replayTopicOf(await loadPipelineState(eventStore, pipelineId));
    const bar = progressBar();
    const startedAt = Date.now();
    const { replayed } = await replayDeadLetters({
      log: log(),
      pipelineId,
      sourceTopic,
      onProgress: ({ replayed, total }) => {
        const perSecond = replayed / Math.max(0.001, (Date.now() - startedAt) / 1000);
        bar.update({
          label: `dlq ${pipelineId}`,
          done: replayed,
          total,
          perSecond,
          etaSeconds: perSecond > 0 ? (total - replayed) / perSecond : null,
        });
      },
    });
    bar.finish();
    process.stdout.write(`Replayed ${replayed} dead letter(s) of ${pipelineId} to ${sourceTopic}.\n`);
  });
