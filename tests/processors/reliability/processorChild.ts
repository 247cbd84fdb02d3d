import { pino } from 'pino';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import { startPipelineProcessor } from '../../../src/processors/pipelineProcessor.js';

/**
 * One pipeline processor on the Kafka log, in a process of its own so a test can SIGKILL it
 * (see processorProcess.ts, which spawns it). Its input comes as environment variables:
 * TRIBUTARY_KAFKA_BROKERS (comma separated), TRIBUTARY_CLIENT_ID and TRIBUTARY_PIPELINE (JSON:
 * pipelineId, version, definition). stdout carries only the protocol lines `ready` (the group
 * is joined) and `batch <partition> <nextOffset> <count>` per committed batch; logs go to stderr.
 * SIGTERM stops it the way a deployment does: the batch in hand commits, then it exits 0.
 */
interface ChildPipeline {
  pipelineId: string;
  version: number;
  definition: PipelineDefinition;
}

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const { pipelineId, version, definition } = JSON.parse(required('TRIBUTARY_PIPELINE')) as ChildPipeline;
const log = createKafkaLog({
  brokers: required('TRIBUTARY_KAFKA_BROKERS').split(','),
  clientId: required('TRIBUTARY_CLIENT_ID'),
});
const logger = pino({ level: 'warn', base: { child: process.pid } }, pino.destination(2));

const processor = await startPipelineProcessor({
  log,
  logger,
  pipelineId,
  version,
  definition,
  onBatch: ({ partition, nextOffset, counts }) =>
    process.stdout.write(`batch ${partition} ${nextOffset} ${counts.in}\n`),
});
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void (async () => {
    await processor.stop();
    await log.close();
    process.exit(0);
  })();
});
