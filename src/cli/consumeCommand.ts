import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { ConsumedRecord } from '../infra/log/log.js';
import { UsageError } from './usageError.js';
import { withLog } from './withLog.js';

const decode = (buffer: Buffer): unknown => {
  const text = buffer.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const toLine = (record: ConsumedRecord) =>
  `${JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(record.timestamp).toISOString(),
    key: record.key?.toString('utf8') ?? null,
    headers: record.headers,
    value: decode(record.value),
  })}\n`;

/**
 * `tributary consume <topic>`: prints records as JSON lines until Ctrl-C, or until `--max`
 * records have been printed. Values that are JSON are printed as JSON, others as text.
 */
export const consumeCommand = async (args: string[]) => {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { group: { type: 'string' }, max: { type: 'string' }, latest: { type: 'boolean' } },
  });
  const [topic, ...extra] = positionals;
  if (!topic || extra.length > 0) throw new UsageError('consume needs exactly one topic');
  const max = values.max === undefined ? Number.POSITIVE_INFINITY : Number(values.max);
  if (!(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max > 0))) {
    throw new UsageError(`--max must be a positive whole number (got "${values.max}")`);
  }

  await withLog(async (log) => {
    let printed = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const consumer = await log.consume({
      groupId: values.group ?? `tributary-cli-${randomUUID()}`,
      topics: [topic],
      fromBeginning: !values.latest,
      eachBatch: async ({ records }) => {
        for (const record of records) {
          if (printed >= max) return finish();
          process.stdout.write(toLine(record));
          printed++;
        }
        if (printed >= max) finish();
      },
    });
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    await finished;
    await consumer.stop();
  });
};
