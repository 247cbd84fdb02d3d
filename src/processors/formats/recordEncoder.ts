import type { TopicSink } from '../../domain/pipelines/pipelineDefinition.js';
import type { JsonRecord } from '../transform/jsonRecord.js';
import { createAvroEncode } from './avroSingleObject.js';
import { RecordFormatError } from './recordFormatError.js';

/** Writes a record in the sink's format. Throws RecordFormatError. */
export interface RecordEncoder {
  encode(record: JsonRecord): Buffer;
}

/** JSON when the sink names no format (sinks saved before formats existed). */
export const createRecordEncoder = (sink: TopicSink): RecordEncoder => {
  const format = sink.format ?? 'json';
  switch (format) {
    case 'json':
      return { encode: encodeJson };
    case 'avro':
      return { encode: createAvroEncode(sink.schema) };
    default:
      throw new Error(`no encoder for the record format ${String(format satisfies never)}`);
  }
};

const encodeJson = (record: JsonRecord): Buffer => {
  try {
    return Buffer.from(JSON.stringify(record), 'utf8');
  } catch (error) {
    throw new RecordFormatError(`cannot write the record as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
};
