import avro from 'avsc';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AlertEvent, alertEventTypes } from '../../../src/domain/alerts/alert.js';
import type { AlertRuleEvent, alertRuleEventTypes } from '../../../src/domain/alerts/alertRule.js';
import type {
  NotificationChannelEvent,
  notificationChannelEventTypes,
} from '../../../src/domain/alerts/notificationChannel.js';
import type {
  NotificationDeliveryEvent,
  notificationDeliveryEventTypes,
} from '../../../src/domain/alerts/notificationDelivery.js';
import type { ConnectorEvent, connectorEventTypes } from '../../../src/domain/connectors/connector.js';
import { domainEventTypes } from '../../../src/domain/domainEventTypes.js';
import type { PipelineEvent, pipelineEventTypes } from '../../../src/domain/pipelines/pipelineEvent.js';
import type { RunEvent, runEventTypes } from '../../../src/domain/runs/run.js';
import type { UserEvent, userEventTypes } from '../../../src/domain/users/userEvent.js';
import { createAvroCodec } from '../../../src/infra/avro/avroCodec.js';
import {
  type AvroSchemaSet,
  type AvroSchemaSource,
  readAvroSchemaFiles,
} from '../../../src/infra/avro/avroSchemaFiles.js';
import { parseAvroSchemas } from '../../../src/infra/avro/parseAvroSchemas.js';
import { domainEventExamples } from './domainEventExamples.js';

const files = readAvroSchemaFiles();
const codec = createAvroCodec(files);
const examples = domainEventExamples();
const schemaOf = (type: string) => `tributary.events.${type}`;

const fullName = (schema: unknown) => {
  const { name, namespace } = schema as { name: string; namespace?: string };
  return namespace === undefined || name.includes('.') ? name : `${namespace}.${name}`;
};

/**
 * `decoded` without the nulls Avro gives for fields the domain value leaves out, so it can be
 * compared with that value. A null the domain value has itself stays.
 */
const withoutAbsent = (decoded: unknown, expected: unknown): unknown => {
  if (Array.isArray(decoded)) {
    return decoded.map((item, index) => withoutAbsent(item, (expected as unknown[] | undefined)?.[index]));
  }
  if (typeof decoded !== 'object' || decoded === null) return decoded;
  const given = (expected ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(decoded)
      .filter(([key, value]) => value !== null || given[key] !== undefined)
      .map(([key, value]) => [key, withoutAbsent(value, given[key])]),
  );
};

/**
 * The history schemas whose records `schemas.current` cannot read, with why: records written with
 * random values of each history schema, decoded as the current one.
 */
const unreadableHistory = (schemas: AvroSchemaSet, samples = 50): string[] => {
  const reader = createAvroCodec(schemas);
  return schemas.history.flatMap((old) => {
    const name = fullName(old.schema);
    const writer = createAvroCodec({ current: [old], history: [] });
    const type = avro.Type.forSchema(old.schema as avro.Schema);
    try {
      for (let sample = 0; sample < samples; sample++)
        reader.decode(name, writer.encode(name, type.random()));
      return [];
    } catch (error) {
      return [`${old.origin.slice(old.origin.lastIndexOf('/') + 1)}: ${(error as Error).message}`];
    }
  });
};

/** The current schemas with the file of `typeName` changed by `change`. */
const changed = (typeName: string, change: (schema: Record<string, unknown>) => void): AvroSchemaSet => ({
  current: files.current.map((source): AvroSchemaSource => {
    if (fullName(source.schema) !== typeName) return source;
    const schema = structuredClone(source.schema) as Record<string, unknown>;
    change(schema);
    return { origin: `${source.origin} (changed)`, schema };
  }),
  history: files.history,
});

type Field = { name: string; type: unknown; default?: unknown; doc: string };
const fieldsOf = (schema: Record<string, unknown>) => schema.fields as Field[];

describe('event schemas: one per event type the domain can emit', () => {
  it('lists every event type of each aggregate, as its event union has them', () => {
    expectTypeOf<(typeof userEventTypes)[number]>().toEqualTypeOf<UserEvent['type']>();
    expectTypeOf<(typeof connectorEventTypes)[number]>().toEqualTypeOf<ConnectorEvent['type']>();
    expectTypeOf<(typeof pipelineEventTypes)[number]>().toEqualTypeOf<PipelineEvent['type']>();
    expectTypeOf<(typeof runEventTypes)[number]>().toEqualTypeOf<RunEvent['type']>();
    expectTypeOf<(typeof alertRuleEventTypes)[number]>().toEqualTypeOf<AlertRuleEvent['type']>();
    expectTypeOf<(typeof alertEventTypes)[number]>().toEqualTypeOf<AlertEvent['type']>();
    expectTypeOf<(typeof notificationChannelEventTypes)[number]>().toEqualTypeOf<
      NotificationChannelEvent['type']
    >();
    expectTypeOf<(typeof notificationDeliveryEventTypes)[number]>().toEqualTypeOf<
      NotificationDeliveryEvent['type']
    >();

    expect(new Set(domainEventTypes).size).toBe(domainEventTypes.length);
  });

  it('given every event type, then schemas/avro holds a record schema of its name', () => {
    const records = new Set(
      files.current
        .filter(({ schema }) => (schema as { type: string }).type === 'record')
        .map(({ schema }) => fullName(schema)),
    );

    expect(domainEventTypes.filter((type) => !records.has(schemaOf(type)))).toEqual([]);
  });

  it('given the examples, then they hold an event of every type', () => {
    const covered = new Set(examples.map(({ type }) => type));

    expect(domainEventTypes.filter((type) => !covered.has(type))).toEqual([]);
  });
});

describe('event schemas: the events the deciders emit round-trip', () => {
  it.each(domainEventTypes.map((type) => [type]))(
    'given %s events from its decider, when encoded and decoded, then the data comes back as it was',
    (type) => {
      for (const { data } of examples.filter((example) => example.type === type)) {
        const encoded = codec.encode(schemaOf(type), data);

        expect(encoded.subarray(2, 10)).toEqual(codec.fingerprint(schemaOf(type)));
        expect(withoutAbsent(codec.decode(schemaOf(type), encoded), data)).toEqual(data);
      }
    },
  );

  it('given an optional field the domain leaves out, when decoded, then it comes back null', () => {
    const { data } = examples.find(
      (example) =>
        example.type === 'ConnectorCreated' && (example.data as { kind: string }).kind === 'webhook-ingest',
    )!;

    expect(
      codec.decode(schemaOf('ConnectorCreated'), codec.encode(schemaOf('ConnectorCreated'), data)),
    ).toEqual({
      ...(data as object),
      config: { format: 'json', signingSecret: null },
    });
  });

  it('given connectors whose configs have the same shape, when encoded, then each is written as the config of its kind', () => {
    const type = parseAvroSchemas(files.current).get(schemaOf('ConnectorCreated'))!;
    const branchOf = (kind: 'file-upload' | 'webhook-ingest') => {
      const data: Extract<ConnectorEvent, { type: 'ConnectorCreated' }>['data'] = {
        connectorId: 'c-1',
        name: 'Orders',
        configVersion: 1,
        createdAt: '2026-01-01T00:00:00.000Z',
        direction: 'source',
        kind,
        config: { format: 'json' },
      };
      const written = type.fromBuffer(codec.encode(schemaOf('ConnectorCreated'), data).subarray(10));
      return Object.keys((written as { config: object }).config);
    };

    expect(branchOf('file-upload')).toEqual(['tributary.events.FileUploadConfig']);
    expect(branchOf('webhook-ingest')).toEqual(['tributary.events.WebhookIngestConfig']);
  });

  it('given a default step, when encoded, then its values are JSON text, which a reader without the json logical type reads as strings', () => {
    const name = schemaOf('PipelineVersionSaved');
    const { data } = examples.find(
      (example) =>
        example.type === 'PipelineVersionSaved' && JSON.stringify(example.data).includes('"kind":"default"'),
    )!;
    const standalone = parseAvroSchemas(files.current).get(name)!.schema({ exportAttrs: true });
    const plain = avro.Type.forSchema(standalone as avro.Schema);

    const written = plain.fromBuffer(codec.encode(name, data).subarray(10)) as {
      definition: { steps: Record<string, { kind: string; values?: object }>[] };
    };
    const defaults = written.definition.steps
      .flatMap((step) => Object.values(step))
      .find((step) => step.kind === 'default');

    expect(defaults?.values).toEqual({
      currency: '"EUR"',
      quantity: '1',
      gift: 'false',
      tags: '[]',
      address: '{"country":"DE"}',
      note: 'null',
    });
  });

  it('given a connector whose config is not that of its kind, when encoded, then the error names the config', () => {
    const { data } = examples.find((example) => example.type === 'ConnectorCreated')!;

    expect(() =>
      codec.encode(schemaOf('ConnectorCreated'), { ...(data as object), kind: 'webhook' }),
    ).toThrow(/^invalid tributary\.events\.ConnectorCreated: config\./);
  });
});

describe('event schemas: compatibility with schemas/avro/history', () => {
  it('given records written with every history schema, when read, then the current schemas read them all', () => {
    expect(files.history.length).toBeGreaterThan(0);
    expect(unreadableHistory(files)).toEqual([]);
  });

  it('given a PipelineCreated written with version 1, when read, then it is the data the domain has today', () => {
    const v1 = files.history.find(({ origin }) =>
      origin.endsWith('tributary.events.PipelineCreated.v1.avsc'),
    )!;
    const writer = createAvroCodec({ current: [v1], history: [] });
    const stored = {
      pipelineId: 'p-1',
      name: 'Orders',
      version: 1,
      definition: {
        source: { topic: 'orders.raw', format: 'json' },
        steps: [{ kind: 'map', rename: { cust: 'customerId' }, drop: ['internal'] }],
        sink: { topic: 'orders.clean' },
      },
      createdAt: '2026-01-01T00:00:00.000Z',
    } satisfies Extract<PipelineEvent, { type: 'PipelineCreated' }>['data'];

    // What the domain has today, with null for the fields added since, as Avro readers give them.
    expect(
      codec.decode(schemaOf('PipelineCreated'), writer.encode(schemaOf('PipelineCreated'), stored)),
    ).toEqual({
      ...stored,
      definition: {
        source: { ...stored.definition.source, schema: null },
        steps: [{ ...stored.definition.steps[0], set: null }],
        sink: { ...stored.definition.sink, format: null, schema: null },
        delivery: null,
        retry: null,
      },
    });
  });

  it('given a new version that adds a field without a default, then the old records it cannot read are reported', () => {
    const next = changed(schemaOf('PipelineCreated'), (schema) => {
      fieldsOf(schema).push({ name: 'ownerId', type: 'string', doc: 'Who owns it.' });
    });

    expect(unreadableHistory(next)).toEqual([
      expect.stringMatching(/^tributary\.events\.PipelineCreated\.v1\.avsc: cannot read .*ownerId/),
      expect.stringMatching(/^tributary\.events\.PipelineCreated\.v2\.avsc: cannot read .*ownerId/),
    ]);
  });

  it('given a new version that changes a field to a type old values do not fit, then the old records are reported', () => {
    const next = changed(schemaOf('PipelineCreated'), (schema) => {
      fieldsOf(schema).find((field) => field.name === 'version')!.type = 'string';
    });

    expect(unreadableHistory(next)).toEqual([
      expect.stringMatching(/^tributary\.events\.PipelineCreated\.v1\.avsc: cannot read /),
      expect.stringMatching(/^tributary\.events\.PipelineCreated\.v2\.avsc: cannot read /),
    ]);
  });

  it('given a new version that drops an enum symbol old records use, then the old records are reported', () => {
    const next = changed(schemaOf('RecordFormat'), (schema) => {
      schema.symbols = ['json'];
    });

    expect(unreadableHistory(next).map((problem) => problem.split(':')[0])).toEqual([
      'tributary.events.PipelineCloned.v1.avsc',
      'tributary.events.PipelineCreated.v1.avsc',
      'tributary.events.PipelineCreated.v2.avsc',
      'tributary.events.PipelineCreatedFromTemplate.v1.avsc',
      'tributary.events.PipelineDefinition.v1.avsc',
      'tributary.events.PipelineDefinition.v2.avsc',
      'tributary.events.PipelineDefinition.v3.avsc',
      'tributary.events.PipelineVersionSaved.v1.avsc',
    ]);
  });
});
