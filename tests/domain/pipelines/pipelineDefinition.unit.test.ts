import { describe, expect, it } from 'vitest';
import { pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import {
  type PipelineDefinition,
  validatePipelineDefinition,
} from '../../../src/domain/pipelines/pipelineDefinition.js';
import { given } from '../deciderSpec.js';
import { create, created, definition, knownConnectorIds, save } from './pipelineFixtures.js';

const definitionWith = (parts: { source?: unknown; steps?: unknown; sink?: unknown }) =>
  ({ ...definition, ...parts }) as PipelineDefinition;
const withFilter = (expr: unknown) =>
  definitionWith({
    steps: [...definition.steps, { kind: 'map', rename: {}, drop: ['x'] }, { kind: 'filter', expr }],
  });
const problemsOf = (checked: PipelineDefinition) =>
  validatePipelineDefinition(checked, { knownConnectorIds });

describe('pipeline definition: connectors', () => {
  it('accepts a source and a sink that name known connectors', () => {
    const viaConnectors = definitionWith({
      source: { connectorId: 'crm' },
      sink: { connectorId: 'warehouse' },
    });
    expect(problemsOf(viaConnectors)).toEqual([]);
    given(pipelineDecider, [created])
      .when(save(viaConnectors))
      .thenEvents([
        {
          type: 'PipelineVersionSaved',
          data: {
            pipelineId: 'p-1',
            version: 2,
            definition: viaConnectors,
            savedAt: '2026-01-05T00:00:00.000Z',
          },
        },
      ]);
  });

  it('mixes a connector on one end with a topic on the other', () => {
    expect(problemsOf(definitionWith({ sink: { connectorId: 'warehouse' } }))).toEqual([]);
    expect(problemsOf(definitionWith({ source: { connectorId: 'crm' } }))).toEqual([]);
  });

  it('rejects a connector nobody created, naming the reference', () => {
    const unknown = definitionWith({ source: { connectorId: 'nope' }, sink: { connectorId: 'gone' } });
    expect(problemsOf(unknown)).toEqual([
      { path: 'source.connectorId', message: 'no connector has the id "nope"' },
      { path: 'sink.connectorId', message: 'no connector has the id "gone"' },
    ]);
    given(pipelineDecider, [created])
      .when(save(unknown))
      .thenThrows('VALIDATION_FAILED', ['source.connectorId', 'sink.connectorId']);
  });

  it('knows no connector when the command lists none, as CreatePipeline may', () => {
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ sink: { connectorId: 'warehouse' } }) }))
      .thenThrows('VALIDATION_FAILED', ['sink.connectorId']);
  });

  it('rejects an empty connector id and a connector named alongside a topic', () => {
    expect(problemsOf(definitionWith({ source: { connectorId: '' } })).map((p) => p.path)).toEqual([
      'source.connectorId',
    ]);
    expect(
      problemsOf(
        definitionWith({
          source: { connectorId: 'crm', topic: 'orders.raw', format: 'json' },
          sink: { connectorId: 'warehouse', topic: 'out' },
        }),
      ),
    ).toEqual([
      { path: 'source', message: 'name a connectorId or topic and format, not both' },
      { path: 'sink', message: 'name a connectorId or topic, not both' },
    ]);
  });

  it('still names both topic fields when a source is missing altogether', () => {
    expect(problemsOf(definitionWith({ source: undefined })).map((p) => p.path)).toEqual([
      'source.topic',
      'source.format',
    ]);
  });
});

describe('pipeline definition: filter steps', () => {
  it('accepts CEL conditions over record fields', () => {
    for (const expr of [
      'amount > 10',
      'amount > 10 && country == "DE"',
      'has(customer.email) || tags.exists(t, t == "vip")',
      'size(note) < 200 ? true : false',
      'flag',
    ]) {
      expect(problemsOf(withFilter(expr)), expr).toEqual([]);
    }
  });

  it('rejects a syntax error at the step with the parser message and where it stopped', () => {
    expect(problemsOf(withFilter('amount >'))).toEqual([
      { path: 'steps[2].expr', message: 'Unexpected token: EOF (at character 9)' },
    ]);
    given(pipelineDecider, [])
      .when(create({ definition: withFilter('a &&& b') }))
      .thenThrows('VALIDATION_FAILED', ['steps[2].expr']);
  });

  it('rejects an expression that type-checks to an error', () => {
    expect(problemsOf(withFilter('1 + "a"'))).toEqual([
      { path: 'steps[2].expr', message: 'no such overload: int + string' },
    ]);
  });

  it('rejects an expression that can never be true or false', () => {
    expect(problemsOf(withFilter('amount + 1'))).toEqual([
      { path: 'steps[2].expr', message: 'must be true or false for a record, but its type is int' },
    ]);
    expect(problemsOf(withFilter('"yes"')).map((p) => p.path)).toEqual(['steps[2].expr']);
  });

  it('rejects a missing, blank, non-text or overlong expression', () => {
    for (const expr of [undefined, '', '   ', 42, `a == "${'x'.repeat(2000)}"`]) {
      expect(
        problemsOf(withFilter(expr)).map((p) => p.path),
        String(expr),
      ).toEqual(['steps[2].expr']);
    }
  });

  it('names every known step kind when one is unknown', () => {
    expect(problemsOf(definitionWith({ steps: [{ kind: 'explode' }] }))).toEqual([
      {
        path: 'steps[0].kind',
        message:
          'must be one of: map, filter, rename, drop, cast, default, dedupe, enrich, validate, aggregate',
      },
    ]);
  });
});
