import { inspect } from 'node:util';
import type avro from 'avsc';
import { avroFingerprint } from './avroFingerprint.js';
import { type AvroSchemaSet, readAvroSchemaFiles } from './avroSchemaFiles.js';
import { createAvroUnionValues } from './avroUnionValues.js';
import { parseAvroSchemas } from './parseAvroSchemas.js';

/**
 * Avro single-object encoding of the named types in `schemas/avro/`: every buffer starts with the
 * marker C3 01 and the writer schema's CRC-64-AVRO fingerprint, so a reader knows which schema wrote it
 * and can read records written by an older version (kept in `schemas/avro/history/`) as the current one.
 */
export interface AvroCodec {
  /** Encodes `value` with the current schema of `typeName`; an invalid value fails naming its fields. */
  encode(typeName: string, value: unknown): Buffer;
  /**
   * Decodes a record written by the current or any historical schema of `typeName`, as the current
   * schema, in the shape `encode` takes: records as plain objects, unions of records unwrapped.
   * Optional fields that are absent come back as `null`.
   */
  decode(typeName: string, buffer: Buffer): unknown;
  /** The 8-byte fingerprint of the current schema of `typeName`, as `encode` writes it. */
  fingerprint(typeName: string): Buffer;
}

export type AvroCodecProblem =
  | 'UNKNOWN_TYPE'
  | 'INVALID_VALUE'
  | 'NOT_SINGLE_OBJECT'
  | 'UNKNOWN_SCHEMA'
  | 'INCOMPATIBLE_SCHEMA'
  | 'MALFORMED_BODY';

/** What went wrong, as `problem`, for a DLQ reason or a metric label; the message says it in words. */
export class AvroCodecError extends Error {
  constructor(
    readonly problem: AvroCodecProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AvroCodecError';
  }
}

// avsc declares its Resolver class without exporting it.
type Resolver = ReturnType<avro.Type['createResolver']>;

const MARKER = Buffer.from([0xc3, 0x01]);
const HEADER_LENGTH = MARKER.length + 8;

/**
 * A codec over `schemas` (by default the files in `schemas/avro/`, read once). Types are addressed by
 * full name (`tributary.EventEnvelope`); long and timestamp-millis fields are JS numbers. Values are
 * plain, as the domain has them: a union of records picks its branch as `avroUnionValues` says.
 */
export const createAvroCodec = (schemas: AvroSchemaSet = readAvroSchemaFiles()): AvroCodec => {
  const current = parseAvroSchemas(schemas.current);
  const values = createAvroUnionValues(schemas.current);
  const fingerprints = new Map<string, Buffer>();
  const writers = new Map<string, avro.Type>();
  // Current last: should a historical schema equal a current one, the current type wins.
  for (const source of schemas.history) addWriters(writers, parseAvroSchemas([source]));
  addWriters(writers, current);
  const resolvers = new Map<string, Resolver>();

  const typeOf = (typeName: string): avro.Type => {
    const type = current.get(typeName);
    if (type === undefined) {
      throw new AvroCodecError('UNKNOWN_TYPE', `no Avro schema named ${typeName} in schemas/avro`);
    }
    return type;
  };
  const fingerprintOf = (typeName: string): Buffer => {
    let fingerprint = fingerprints.get(typeName);
    if (fingerprint === undefined) {
      fingerprint = avroFingerprint(typeOf(typeName));
      fingerprints.set(typeName, fingerprint);
    }
    return fingerprint;
  };

  return {
    encode(typeName, value) {
      const type = typeOf(typeName);
      const written = values.toAvro(type, value);
      assertValid(type, written);
      return Buffer.concat([MARKER, fingerprintOf(typeName), type.toBuffer(written)]);
    },

    decode(typeName, buffer) {
      const reader = typeOf(typeName);
      if (buffer.length < HEADER_LENGTH || !buffer.subarray(0, MARKER.length).equals(MARKER)) {
        throw new AvroCodecError(
          'NOT_SINGLE_OBJECT',
          `not an Avro single-object record: expected it to start with c301, found ${buffer.subarray(0, 2).toString('hex') || 'nothing'}`,
        );
      }
      const writerFingerprint = buffer.subarray(MARKER.length, HEADER_LENGTH).toString('hex');
      const writer = writers.get(writerFingerprint);
      if (writer === undefined) {
        throw new AvroCodecError(
          'UNKNOWN_SCHEMA',
          `unknown Avro schema fingerprint ${writerFingerprint}: no current or historical schema in schemas/avro has it`,
        );
      }
      const resolver = writer === reader ? undefined : resolverFor(reader, writer, writerFingerprint);
      let read: unknown;
      try {
        read = reader.fromBuffer(buffer.subarray(HEADER_LENGTH), resolver);
      } catch (error) {
        throw new AvroCodecError(
          'MALFORMED_BODY',
          `malformed ${typeName} record (written with ${writer.name ?? writer.typeName}): ${(error as Error).message}`,
          { cause: error },
        );
      }
      return values.fromAvro(reader, read);
    },

    fingerprint: fingerprintOf,
  };

  function resolverFor(reader: avro.Type, writer: avro.Type, writerFingerprint: string) {
    const key = `${reader.name}:${writerFingerprint}`;
    let resolver = resolvers.get(key);
    if (resolver === undefined) {
      try {
        resolver = reader.createResolver(writer);
      } catch (error) {
        throw new AvroCodecError(
          'INCOMPATIBLE_SCHEMA',
          `cannot read a record written as ${writer.name ?? writer.typeName} as ${reader.name}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      resolvers.set(key, resolver);
    }
    return resolver;
  }
};

const addWriters = (writers: Map<string, avro.Type>, types: Map<string, avro.Type>) => {
  for (const type of types.values()) writers.set(avroFingerprint(type).toString('hex'), type);
};

const assertValid = (type: avro.Type, value: unknown) => {
  const problems: string[] = [];
  const valid = type.isValid(value, {
    errorHook: (path: string[], found: unknown, expected: avro.Type) => {
      problems.push(`${path.join('.') || '(the value)'}: ${show(found)} is not ${describe(expected)}`);
    },
  });
  if (!valid) {
    throw new AvroCodecError('INVALID_VALUE', `invalid ${type.name}: ${problems.join('; ')}`);
  }
};

// Any value, bigint and cycles included, kept short: it goes into a log line or a DLQ reason.
const show = (value: unknown): string =>
  inspect(value, { depth: 1, maxArrayLength: 5, maxStringLength: 60, breakLength: Number.POSITIVE_INFINITY });

const describe = (type: avro.Type): string => {
  // A union of named types would print every branch's whole schema: its branch names say enough.
  const branches = (type as { types?: readonly avro.Type[] }).types;
  if (branches?.some((branch) => branch.name !== undefined)) {
    return `one of ${branches.map((branch) => branch.branchName).join(', ')}`;
  }
  const schema = type.schema();
  return type.name ?? (typeof schema === 'string' ? schema : JSON.stringify(schema));
};
