import { isConnectorReference, type PipelineDefinition } from '../domain/pipelines/pipelineDefinition.js';
import type { ConsumedRecord, Log, LogConsumer, LogRecord } from '../infra/log/log.js';
import type { Logger } from '../logger.js';
import { compilePipeline } from './transform/compilePipeline.js';
import { isJsonRecord } from './transform/jsonRecord.js';

export interface RunningPipeline {
  pipelineId: string;
  version: number;
  stop(): Promise<void>;
}

export const consumerGroupOf = (pipelineId: string) => `tributary.pipeline.${pipelineId}`;
export const deadLetterTopicOf = (pipelineId: string) => `tributary.dlq.${pipelineId}`;

/**
 * Runs one pipeline version as its own consumer group: source topic → steps → sink topic.
 * A record that cannot be read or transformed goes to the pipeline's DLQ topic with the
 * reason in a header, and the partition keeps moving. Sink and DLQ records carry lineage
 * headers naming the pipeline, its version and the source record they came from.
 * Delivery is at least once: the source offset commits only after the sink accepted the batch.
 */
export const startPipelineProcessor = async (options: {
  log: Log;
  logger: Logger;
  pipelineId: string;
  version: number;
  definition: PipelineDefinition;
}): Promise<RunningPipeline> => {
  const { log, pipelineId, version, definition } = options;
  const { source, sink } = definition;
  // Connectors come in a later issue; until then a version that names one does not start.
  if (isConnectorReference(source) || isConnectorReference(sink))
    throw new Error('connector sources and sinks are not supported by the transform engine yet');
  const transform = compilePipeline(definition);
  const deadLetterTopic = deadLetterTopicOf(pipelineId);
  for (const topic of [source.topic, sink.topic, deadLetterTopic]) await log.ensureTopic(topic);

  const lineage = (record: ConsumedRecord) => ({
    'tributary-pipeline-id': pipelineId,
    'tributary-pipeline-version': String(version),
    'tributary-source': `${record.topic}/${record.partition}/${record.offset}`,
  });

  const consumer: LogConsumer = await log.consume({
    groupId: consumerGroupOf(pipelineId),
    topics: [source.topic],
    // A pipeline processes its source from the start, as Kafka Streams does by default:
    // records produced before activation are not silently skipped.
    fromBeginning: true,
    eachBatch: async ({ records }) => {
      const out: LogRecord[] = [];
      const dead: LogRecord[] = [];
      for (const record of records) {
        const headers = { ...record.headers, ...lineage(record) };
        try {
          const parsed: unknown = JSON.parse(record.value.toString('utf8'));
          if (!isJsonRecord(parsed)) throw new Error('a JSON record must be an object at the top level');
          const value = Buffer.from(JSON.stringify(transform(parsed)));
          out.push({ key: record.key, value, headers, timestamp: record.timestamp });
        } catch (error) {
          const reason = `${error instanceof SyntaxError ? 'invalid JSON' : 'transform failed'}: ${(error as Error).message}`;
          dead.push({
            key: record.key,
            value: record.value,
            headers: { ...headers, 'tributary-error': reason },
          });
        }
      }
      if (out.length > 0) await log.produce(sink.topic, out);
      if (dead.length > 0) {
        await log.produce(deadLetterTopic, dead);
        options.logger.warn({ pipelineId, count: dead.length, deadLetterTopic }, 'records sent to the DLQ');
      }
    },
  });
  options.logger.info({ pipelineId, version, source: source.topic }, 'pipeline processor started');
  return { pipelineId, version, stop: () => consumer.stop() };
};
