import { describe, expect, it } from 'vitest';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { given } from '../deciderSpec.js';
import { create, created, definition, problemsOfSteps, problemsWith, save } from './pipelineFixtures.js';

const ORDER = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: ['null', 'double'], default: null },
  ],
});

describe('validate steps', () => {
  it('accepts an Avro record schema as JSON text', () => {
    expect(problemsOfSteps({ kind: 'validate', schema: ORDER })).toEqual([]);
  });

  it('rejects text that is not JSON, with the parser message at the schema', () => {
    expect(problemsOfSteps({ kind: 'validate', schema: '{"type":' })).toEqual([
      { path: 'steps[0].schema', message: 'is not JSON: Unexpected end of JSON input' },
    ]);
  });

  it('rejects JSON that is no Avro schema, with avsc’s message', () => {
    const schema = JSON.stringify({ type: 'record', name: 'O', fields: [{ name: 'id', type: 'strin' }] });
    expect(problemsOfSteps({ kind: 'validate', schema })).toEqual([
      { path: 'steps[0].schema', message: 'is not a valid Avro schema: undefined type name: strin' },
    ]);
  });

  it('rejects a schema that is not a named record, and a missing or blank one', () => {
    expect(problemsOfSteps({ kind: 'validate', schema: '"string"' })).toEqual([
      { path: 'steps[0].schema', message: 'must be an Avro record schema, not string' },
    ]);
    expect(problemsOfSteps({ kind: 'validate', schema: '{"type":"record","fields":[]}' })).toEqual([
      { path: 'steps[0].schema', message: 'must name its record, as Avro requires' },
    ]);
    for (const schema of [undefined, ' ', 42]) {
      expect(problemsOfSteps({ kind: 'validate', schema })).toEqual([
        { path: 'steps[0].schema', message: 'must be an Avro record schema, as JSON text' },
      ]);
    }
  });
});

describe('topic formats', () => {
  it('accepts avro topics with their schemas, and a sink whose format is left out (JSON)', () => {
    const avro: PipelineDefinition = {
      ...definition,
      source: { topic: 'orders.raw', format: 'avro', schema: ORDER },
      sink: { topic: 'orders.clean', format: 'avro', schema: ORDER },
    };
    expect(problemsWith(avro)).toEqual([]);
    expect(problemsWith({ sink: { topic: 'orders.clean', format: 'json' } })).toEqual([]);
    given(pipelineDecider, [created])
      .when(save(avro))
      .thenEvents([
        {
          type: 'PipelineVersionSaved',
          data: { pipelineId: 'p-1', version: 2, definition: avro, savedAt: '2026-01-05T00:00:00.000Z' },
        },
      ]);
  });

  it('requires the schema of an avro source or sink, and checks it as a validate step’s', () => {
    expect(
      problemsWith({
        source: { topic: 'orders.raw', format: 'avro' },
        sink: { topic: 'orders.clean', format: 'avro', schema: '{' },
      }),
    ).toEqual([
      { path: 'source.schema', message: 'must be an Avro record schema, as JSON text' },
      { path: 'sink.schema', message: expect.stringMatching(/^is not JSON: /) },
    ]);
  });

  it('refuses a schema on a json topic, and formats it does not know', () => {
    const message = 'only an avro topic has a schema: set format to avro, or leave it out';
    expect(
      problemsWith({
        source: { topic: 'orders.raw', format: 'json', schema: ORDER },
        sink: { topic: 'orders.clean', schema: ORDER },
      }),
    ).toEqual([
      { path: 'source.schema', message },
      { path: 'sink.schema', message },
    ]);
    expect(
      problemsWith({ source: { topic: 'orders.raw', format: 'xml' }, sink: { topic: 'out', format: 'csv' } }),
    ).toEqual([
      { path: 'source.format', message: 'must be one of: json, avro' },
      { path: 'sink.format', message: 'must be one of: json, avro' },
    ]);
  });

  it('refuses a format or schema beside a connector, which describes its own', () => {
    given(pipelineDecider, [])
      .when(
        create({
          definition: { ...definition, sink: { connectorId: 'warehouse', format: 'avro' } as never },
        }),
      )
      .thenThrows('VALIDATION_FAILED', ['sink']);
    expect(problemsWith({ source: { connectorId: 'crm', schema: ORDER } })).toEqual([
      { path: 'source', message: 'name a connectorId or topic and format, not both' },
    ]);
  });
});
