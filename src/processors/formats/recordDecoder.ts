import type { TopicSource } from '../../domain/pipelines/pipelineDefinition.js';
import { isJsonRecord, type JsonRecord } from '../transform/jsonRecord.js';
import { createAvroDecode } from './avroSingleObject.js';
import { RecordFormatError } from './recordFormatError.js';

/** Reads a Kafka record value in the source's format. Throws RecordFormatError. */
export interface RecordDecoder {
  decode(value: Buffer): JsonRecord;
}

/**
 * JSON: one UTF-8 JSON object per value; numbers are JS numbers, so an integer past ±2^53
 * loses precision, as anywhere JSON.parse reads it. Avro: see avroSingleObject.ts and
 * avroJsonValues.ts for how values come out. The schema is parsed here, once per version.
 */
export const createRecordDecoder = (source: TopicSource): RecordDecoder => {
  switch (source.format) {
    case 'json':
      return { decode: decodeJson };
    case 'avro':
      return { decode: createAvroDecode(source.schema) };
    default:
      throw new Error(`no decoder for the record format ${String(source.format satisfies never)}`);
  }
};

const decodeJson = (value: Buffer): JsonRecord => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new RecordFormatError(`invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isJsonRecord(parsed)) throw new RecordFormatError('a JSON record must be an object');
  return parsed;
};
