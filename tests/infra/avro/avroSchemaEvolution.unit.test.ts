import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroCodecError, createAvroCodec } from '../../../src/infra/avro/avroCodec.js';
import { type AvroSchemaSource, readAvroSchemaFiles } from '../../../src/infra/avro/avroSchemaFiles.js';
import { createAvroUnionValues } from '../../../src/infra/avro/avroUnionValues.js';
import { parseAvroSchemas } from '../../../src/infra/avro/parseAvroSchemas.js';

const ACTIVATED = 'tributary.events.PipelineActivated';
const files = readAvroSchemaFiles();
const activatedFile = files.current.find(({ origin }) => origin.endsWith(`${ACTIVATED}.avsc`))!;

type RecordSchema = { fields: { name: string }[] };

// The next version of PipelineActivated as a change would make it, from the file as it is.
const nextActivated = (field: object): AvroSchemaSource => {
  const schema = structuredClone(activatedFile.schema) as RecordSchema;
  schema.fields.push(field as { name: string });
  return { origin: 'next version', schema };
};

const fullName = (schema: unknown) => {
  const { name, namespace } = schema as { name: string; namespace?: string };
  return namespace === undefined || name.includes('.') ? name : `${namespace}.${name}`;
};

describe('schema evolution', () => {
  it('given each schema in schemas/avro/history, when a record it wrote is read, then the current schema reads it', () => {
    const current = createAvroCodec();
    for (const old of files.history) {
      const name = fullName(old.schema);
      const writer = createAvroCodec({ current: [old], history: [] });
      const value = avro.Type.forSchema(old.schema as avro.Schema).random() as unknown;

      expect(() => current.decode(name, writer.encode(name, value)), old.origin).not.toThrow();
    }
  });

  it('given random values of every current type, when encoded and decoded, then they come back equal', () => {
    const codec = createAvroCodec();
    // Random values hold unions of records wrapped, as avsc makes them; the codec returns them plain.
    const values = createAvroUnionValues(files.current);
    for (const [name, type] of parseAvroSchemas(files.current)) {
      const value = type.random() as unknown;

      expect(codec.decode(name, codec.encode(name, value)), name).toEqual(values.fromAvro(type, value));
    }
  }, 10_000);

  it('given a record written before an optional field was added, when read with the new version, then the field is its default', () => {
    const next = nextActivated({ name: 'activatedBy', type: ['null', 'string'], default: null, doc: 'who' });
    const before = createAvroCodec({ current: [activatedFile], history: [] });
    const after = createAvroCodec({ current: [next], history: [activatedFile] });
    const written = before.encode(ACTIVATED, {
      pipelineId: '7',
      version: 2,
      activatedAt: '2026-01-02T00:00:00Z',
    });

    expect(after.decode(ACTIVATED, written)).toEqual({
      pipelineId: '7',
      version: 2,
      activatedAt: '2026-01-02T00:00:00Z',
      activatedBy: null,
    });
  });

  it('given a record written before a required field was added, when read with the new version, then decoding fails as incompatible', () => {
    const next = nextActivated({ name: 'activatedBy', type: 'string', doc: 'who' });
    const before = createAvroCodec({ current: [activatedFile], history: [] });
    const after = createAvroCodec({ current: [next], history: [activatedFile] });
    const written = before.encode(ACTIVATED, {
      pipelineId: '7',
      version: 2,
      activatedAt: '2026-01-02T00:00:00Z',
    });

    expect(() => after.decode(ACTIVATED, written)).toThrow(AvroCodecError);
    expect(() => after.decode(ACTIVATED, written)).toThrow(
      /^cannot read a record written as .* as .*PipelineActivated/,
    );
  });
});
