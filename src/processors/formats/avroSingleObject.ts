import avro from 'avsc';
import { avroFingerprint } from '../../infra/avro/avroFingerprint.js';
import { isJsonRecord, type JsonRecord } from '../transform/jsonRecord.js';
import { createAvroJsonValues, describeAvroProblem } from './avroJsonValues.js';
import { RecordFormatError } from './recordFormatError.js';

const MARKER = Buffer.from([0xc3, 0x01]);
const HEADER_LENGTH = MARKER.length + 8;

/**
 * A version's Avro schema (JSON text) parsed once, with its fingerprint and JSON converters.
 * Avro single-object encoding: C3 01, the schema's CRC-64-AVRO fingerprint (8 bytes,
 * little-endian), then the binary body. A version reads and writes exactly its own schema:
 * a record written with another schema (another fingerprint) is refused, not resolved.
 */
const parseSchema = (schema: string | undefined) => {
  if (schema === undefined) throw new Error('an Avro source or sink needs a schema');
  const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
  if (type.typeName !== 'record') throw new Error('an Avro record schema must be of type record');
  return { type, fingerprint: avroFingerprint(type), values: createAvroJsonValues(type) };
};

export const createAvroDecode = (schema: string | undefined): ((value: Buffer) => JsonRecord) => {
  const { type, fingerprint, values } = parseSchema(schema);
  return (value) => {
    if (value.length < MARKER.length || value[0] !== MARKER[0] || value[1] !== MARKER[1]) {
      throw new RecordFormatError('invalid Avro: expected single-object marker C3 01');
    }
    if (value.length < HEADER_LENGTH) throw new RecordFormatError('invalid Avro: truncated');
    const found = value.subarray(MARKER.length, HEADER_LENGTH);
    if (!found.equals(fingerprint)) {
      throw new RecordFormatError(
        `invalid Avro: schema fingerprint ${found.toString('hex')} is not the version's ${fingerprint.toString('hex')}`,
      );
    }
    let decoded: unknown;
    try {
      decoded = type.fromBuffer(value.subarray(HEADER_LENGTH));
    } catch (error) {
      const reason = (error as Error).message;
      const detail = reason === 'truncated buffer' ? 'truncated' : reason;
      throw new RecordFormatError(`invalid Avro: ${detail}`, { cause: error });
    }
    return values.toJson(decoded) as JsonRecord;
  };
};

export const createAvroEncode = (schema: string | undefined): ((record: JsonRecord) => Buffer) => {
  const { type, fingerprint, values } = parseSchema(schema);
  return (record) => {
    const value = values.fromJson(record);
    let problem: string | undefined;
    const valid =
      isJsonRecord(value) &&
      type.isValid(value, {
        errorHook: (path: string[], found: unknown, expected: avro.Type) => {
          problem ??= `field "${path.join('.')}": ${describeAvroProblem(found, expected)}`;
        },
      });
    if (!valid) {
      throw new RecordFormatError(`record does not fit the sink's Avro schema: ${problem ?? 'not a record'}`);
    }
    return Buffer.concat([MARKER, fingerprint, type.toBuffer(value)]);
  };
};
