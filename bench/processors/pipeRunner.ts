/**
 * One pipe in a process of its own, so its peak RSS and CPU time are its own: ours (the pipeline
 * processor on kafkaLog) or the bare kafkajs pipe. Forked by processors.bench.ts with its
 * options as the one argument; talks over IPC: `ready` once its group is joined, `firstBatch`
 * when the first records arrive, and on `stop` it stops and answers `stopped` with its usage.
 */

import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import type { RecordFormat } from '../../src/domain/pipelines/pipelineDefinition.js';
import { createKafkaLog } from '../../src/infra/log/kafkaLog.js';
import type { Log } from '../../src/infra/log/log.js';
import { startPipelineProcessor } from '../../src/processors/pipelineProcessor.js';
import { startBarePipe } from './barePipe.js';
import { benchDefinition } from './benchOrders.js';

export interface PipeRunnerOptions {
  pipe: 'ours' | 'bare';
  brokers: string[];
  groupId: string;
  source: string;
  sink: string;
  format: RecordFormat;
  exactlyOnce: boolean;
}

export type FromPipeRunner =
  | { type: 'ready' }
  | { type: 'firstBatch'; at: number; cpuMs: number }
  | { type: 'stopped'; maxRssKb: number; cpuMs: number };

const send = (message: FromPipeRunner) => process.send!(message);

const cpuMs = () => {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
};

let firstBatchSeen = false;
const batchStarts = () => {
  if (firstBatchSeen) return;
  firstBatchSeen = true;
  // CPU time from here on is the records' (startup, module loading and the group join are not).
  send({ type: 'firstBatch', at: Date.now(), cpuMs: cpuMs() });
};

/** The log port with the first batch's arrival noted, ahead of all of the processor's work. */
const timedLog = (log: Log): Log => ({
  ...log,
  consume: (options) =>
    log.consume({
      ...options,
      eachBatch: (batch, context) => {
        batchStarts();
        return options.eachBatch(batch, context);
      },
    }),
});

const startOurs = async (options: PipeRunnerOptions) => {
  const log = createKafkaLog({ brokers: options.brokers, clientId: 'bench-ours' });
  const running = await startPipelineProcessor({
    log: timedLog(log),
    logger: pino({ level: 'warn' }),
    pipelineId: options.groupId,
    version: 1,
    groupId: options.groupId,
    definition: benchDefinition(options.format, options.source, options.sink, options.exactlyOnce),
  });
  return {
    stop: async () => {
      await running.stop();
      await log.close();
    },
  };
};

const startBare = (options: PipeRunnerOptions) =>
  startBarePipe({
    // Silent as kafkaLog is about retried responses (CONCURRENT_TRANSACTIONS after each commit);
    // a crash still ends the pipe (barePipe.ts).
    kafka: new Kafka({ brokers: options.brokers, clientId: 'bench-bare', logLevel: logLevel.NOTHING }),
    groupId: options.groupId,
    source: options.source,
    sink: options.sink,
    transactional: options.exactlyOnce,
    onBatchStart: batchStarts,
  });

const options = JSON.parse(process.argv[2]!) as PipeRunnerOptions;
const pipe = options.pipe === 'ours' ? await startOurs(options) : await startBare(options);
process.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  void pipe.stop().then(() => {
    send({ type: 'stopped', maxRssKb: process.resourceUsage().maxRSS, cpuMs: cpuMs() });
    process.disconnect();
  });
});
send({ type: 'ready' });
