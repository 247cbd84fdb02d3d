import { describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../../src/domain/pipelines/pipeline.js';
import { AvroCodecError, createAvroCodec } from '../../../src/infra/avro/avroCodec.js';
import { readAvroSchemaFiles } from '../../../src/infra/avro/avroSchemaFiles.js';

const codec = createAvroCodec();
const ENVELOPE = 'tributary.EventEnvelope';

const envelope = {
  id: '0b6f3c3e-4c1e-4d8e-9d7a-2f1c7b0e9a11',
  streamId: 'pipeline-7',
  type: 'PipelineCreated',
  streamRevision: 0,
  globalPosition: 9_007_199_254_740_000,
  recordedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  data: JSON.stringify({ pipelineId: '7', name: 'Orders' }),
  metadata: { actor: 'user-1', correlationId: 'c-1', commandId: 'cmd-1', schemaVersion: 1 },
};

type EventData<Type extends PipelineEvent['type']> = Extract<PipelineEvent, { type: Type }>['data'];

const pipelineCreated: EventData<'PipelineCreated'> = {
  pipelineId: '7',
  name: 'Orders',
  version: 1,
  definition: {
    source: { topic: 'orders', format: 'json' },
    steps: [{ kind: 'map', rename: { amt: 'amount' }, drop: ['secret'] }],
    sink: { topic: 'orders-clean' },
  },
  createdAt: '2026-01-02T03:04:05.678Z',
};

const codecError = (act: () => unknown): AvroCodecError => {
  try {
    act();
  } catch (error) {
    if (error instanceof AvroCodecError) return error;
    throw error;
  }
  throw new Error('expected an AvroCodecError');
};

const namedTypesWithoutDoc = (schema: unknown, path: string): string[] => {
  if (Array.isArray(schema))
    return schema.flatMap((branch, index) => namedTypesWithoutDoc(branch, `${path}[${index}]`));
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as {
    name?: string;
    doc?: string;
    fields?: { name: string; doc?: string; type: unknown }[];
  };
  const own = node.name !== undefined && !node.doc ? [`${path} (${node.name})`] : [];
  const fields = (node.fields ?? []).flatMap((field) => [
    ...(field.doc ? [] : [`${path}.${field.name}`]),
    ...namedTypesWithoutDoc(field.type, `${path}.${field.name}`),
  ]);
  const nested = ['items', 'values'].flatMap((key) =>
    namedTypesWithoutDoc((node as Record<string, unknown>)[key], path),
  );
  return [...own, ...fields, ...nested];
};

describe('schemas/avro', () => {
  it('given every schema file, when loaded together, then each top-level type has a fingerprint', () => {
    const names = readAvroSchemaFiles().current.map(({ schema }) => {
      const { name, namespace } = schema as { name: string; namespace: string };
      return `${namespace}.${name}`;
    });

    // The event types are checked one by one against the domain in eventSchemas.unit.test.ts.
    expect(names).toContain('tributary.EventEnvelope');
    for (const name of names) expect(codec.fingerprint(name)).toHaveLength(8);
  });

  it('given every schema file, then every named type and field carries a doc', () => {
    const undocumented = readAvroSchemaFiles().current.flatMap(({ origin, schema }) =>
      namedTypesWithoutDoc(schema, origin.slice(origin.lastIndexOf('/') + 1)),
    );

    expect(undocumented).toEqual([]);
  });

  it('given all the named types, then no two share a fingerprint', () => {
    const names = readAvroSchemaFiles().current.map(({ schema }) => {
      const { name, namespace } = schema as { name: string; namespace: string };
      return `${namespace}.${name}`;
    });
    const fingerprints = new Set(names.map((name) => codec.fingerprint(name).toString('hex')));

    expect(fingerprints.size).toBe(names.length);
  });
});

describe('createAvroCodec', () => {
  it('given an envelope, when encoded, then it starts with the single-object marker and its schema fingerprint', () => {
    const encoded = codec.encode(ENVELOPE, envelope);

    expect(encoded.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(encoded.subarray(2, 10)).toEqual(codec.fingerprint(ENVELOPE));
  });

  it('given an envelope, when encoded and decoded, then it comes back with absent metadata as null', () => {
    const decoded = codec.decode(ENVELOPE, codec.encode(ENVELOPE, envelope));

    expect(decoded).toEqual({
      ...envelope,
      metadata: { ...envelope.metadata, causationId: null, occurredAt: null },
    });
  });

  it('given the data of a PipelineCreated event, when encoded and decoded, then it comes back with the optional fields it left out null', () => {
    const name = 'tributary.events.PipelineCreated';
    const { definition } = pipelineCreated;

    expect(codec.decode(name, codec.encode(name, pipelineCreated))).toEqual({
      ...pipelineCreated,
      definition: {
        source: { ...definition.source, schema: null },
        steps: [{ ...definition.steps[0], set: null }],
        sink: { ...definition.sink, format: null, schema: null },
        delivery: null,
        retry: null,
      },
    });
  });

  it('given the data of PipelineActivated and PipelinePaused events, when round-tripped, then they come back unchanged', () => {
    const activated: EventData<'PipelineActivated'> = {
      pipelineId: '7',
      version: 1,
      activatedAt: '2026-01-02T03:04:05.678Z',
    };
    const paused: EventData<'PipelinePaused'> = { pipelineId: '7', pausedAt: '2026-01-02T03:04:05.678Z' };

    expect(
      codec.decode(
        'tributary.events.PipelineActivated',
        codec.encode('tributary.events.PipelineActivated', activated),
      ),
    ).toEqual(activated);
    expect(
      codec.decode(
        'tributary.events.PipelinePaused',
        codec.encode('tributary.events.PipelinePaused', paused),
      ),
    ).toEqual(paused);
  });

  it('given a value with wrong fields, when encoded, then the error names each field', () => {
    const error = codecError(() =>
      codec.encode(ENVELOPE, { ...envelope, streamRevision: '0', metadata: { actor: 42 } }),
    );

    expect(error.problem).toBe('INVALID_VALUE');
    expect(error.message).toBe(
      `invalid tributary.EventEnvelope: streamRevision: '0' is not long; metadata.actor: 42 is not ["null","string"]`,
    );
  });

  it('given a buffer whose fingerprint no schema has, when decoded, then the error names the fingerprint', () => {
    const encoded = codec.encode(ENVELOPE, envelope);
    Buffer.from('0123456789abcdef', 'hex').copy(encoded, 2);

    const error = codecError(() => codec.decode(ENVELOPE, encoded));

    expect(error.problem).toBe('UNKNOWN_SCHEMA');
    expect(error.message).toBe(
      'unknown Avro schema fingerprint 0123456789abcdef: no current or historical schema in schemas/avro has it',
    );
  });

  it('given a buffer without the single-object marker, when decoded, then the error says what it found', () => {
    const error = codecError(() => codec.decode(ENVELOPE, Buffer.from('{"id":"not avro"}')));

    expect(error.problem).toBe('NOT_SINGLE_OBJECT');
    expect(error.message).toBe(
      'not an Avro single-object record: expected it to start with c301, found 7b22',
    );
  });

  it('given a record of another type, when decoded as an envelope, then the error names both types', () => {
    const paused = codec.encode('tributary.events.PipelinePaused', { pipelineId: '7', pausedAt: 'now' });

    const error = codecError(() => codec.decode(ENVELOPE, paused));

    expect(error.problem).toBe('INCOMPATIBLE_SCHEMA');
    expect(error.message).toMatch(
      /^cannot read a record written as tributary\.events\.PipelinePaused as tributary\.EventEnvelope: /,
    );
  });

  it('given a truncated record, when decoded, then the error says it is malformed', () => {
    const encoded = codec.encode(ENVELOPE, envelope);

    const error = codecError(() => codec.decode(ENVELOPE, encoded.subarray(0, encoded.length - 5)));

    expect(error.problem).toBe('MALFORMED_BODY');
    expect(error.message).toBe(
      'malformed tributary.EventEnvelope record (written with tributary.EventEnvelope): truncated buffer',
    );
  });

  it('given a type name no schema defines, when encoding, then the error names it', () => {
    const error = codecError(() => codec.encode('tributary.events.PipelineDeleted', {}));

    expect(error.problem).toBe('UNKNOWN_TYPE');
    expect(error.message).toBe('no Avro schema named tributary.events.PipelineDeleted in schemas/avro');
  });
});
