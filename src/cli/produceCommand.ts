import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { LogRecord } from '../infra/log/log.js';
import { isJsonRecord } from '../processors/transform/jsonRecord.js';
import { UsageError } from './usageError.js';
import { withLog } from './withLog.js';

const BATCH = 500;

/**
 * `tributary produce <topic> [--key field]`: one record per JSON line on stdin. A line that is
 * not JSON is reported with its number and skipped; the others are still produced, and the
 * command exits 1 so a script notices.
 */
export const produceCommand = async (args: string[]) => {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { key: { type: 'string' } },
  });
  const [topic, ...extra] = positionals;
  if (!topic || extra.length > 0) throw new UsageError('produce needs exactly one topic');
  const keyField = values.key;

  const { produced, rejected } = await withLog(async (log) => {
    await log.ensureTopic(topic);
    let batch: LogRecord[] = [];
    let produced = 0;
    let rejected = 0;
    let lineNumber = 0;
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
      lineNumber++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        process.stderr.write(`line ${lineNumber}: not valid JSON (${(error as Error).message}); skipped\n`);
        rejected++;
        continue;
      }
      const key = keyField && isJsonRecord(value) && value[keyField] != null ? String(value[keyField]) : null;
      batch.push({ key: key === null ? null : Buffer.from(key), value: Buffer.from(JSON.stringify(value)) });
      if (batch.length >= BATCH) {
        await log.produce(topic, batch);
        produced += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await log.produce(topic, batch);
    return { produced: produced + batch.length, rejected };
  });
  process.stderr.write(
    `produced ${produced} record(s) to ${topic}${rejected ? `, skipped ${rejected} bad line(s)` : ''}\n`,
  );
  if (rejected > 0) process.exitCode = 1;
};
