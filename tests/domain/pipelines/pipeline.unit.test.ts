import { describe, it } from 'vitest';
import { type PipelineState, pipelineDecider } from '../../../src/domain/pipelines/pipeline.js';
import type { MapStep, PipelineDefinition, Step } from '../../../src/domain/pipelines/pipelineDefinition.js';
import { given } from '../deciderSpec.js';
import {
  activate,
  activated as activatedAt,
  create,
  created,
  definition,
  pause,
  paused,
  pipelineId,
} from './pipelineFixtures.js';

const activated = activatedAt(1);

/** The valid definition with its parts replaced; invalid shapes arrive as data from outside. */
const definitionWith = (parts: { source?: unknown; steps?: unknown; sink?: unknown }) =>
  ({ ...definition, ...parts }) as PipelineDefinition;
const mapStep = (step: Partial<MapStep>): Step => ({ kind: 'map', rename: {}, drop: [], ...step });

describe('pipeline decider: CreatePipeline', () => {
  it('creates a draft at version 1 from a valid definition, with the name trimmed', () => {
    given(pipelineDecider, [])
      .when(create({ name: '  Orders  ' }))
      .thenEvents([created]);
  });

  it('accepts a definition with no steps', () => {
    const passThrough = definitionWith({ steps: [] });
    given(pipelineDecider, [])
      .when(create({ definition: passThrough }))
      .thenEvents([{ ...created, data: { ...created.data, definition: passThrough } }]);
  });

  it('rejects an empty or blank name, and one over 100 characters', () => {
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      given(pipelineDecider, []).when(create({ name })).thenThrows('VALIDATION_FAILED', ['name']);
    }
  });

  it('rejects topic names Kafka would refuse', () => {
    for (const topic of ['', 'has space', 'slash/topic', 'ü', 't'.repeat(250)]) {
      given(pipelineDecider, [])
        .when(create({ definition: definitionWith({ source: { topic, format: 'json' } }) }))
        .thenThrows('VALIDATION_FAILED', ['source.topic']);
      given(pipelineDecider, [])
        .when(create({ definition: definitionWith({ sink: { topic } }) }))
        .thenThrows('VALIDATION_FAILED', ['sink.topic']);
    }
  });

  it('rejects a sink that is the source, since records would loop', () => {
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ sink: { topic: 'orders.raw' } }) }))
      .thenThrows('VALIDATION_FAILED', ['sink.topic']);
  });

  it('rejects a source format it cannot read, and an avro source without its schema', () => {
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ source: { topic: 'orders.raw', format: 'xml' } }) }))
      .thenThrows('VALIDATION_FAILED', ['source.format']);
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ source: { topic: 'orders.raw', format: 'avro' } }) }))
      .thenThrows('VALIDATION_FAILED', ['source.schema']);
  });

  it('rejects steps that are not a list, and more than 100 steps', () => {
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ steps: 'map' }) }))
      .thenThrows('VALIDATION_FAILED', ['steps']);
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ steps: Array(101).fill(mapStep({ drop: ['a'] })) }) }))
      .thenThrows('VALIDATION_FAILED', ['steps']);
  });

  it('rejects an unknown step kind, naming the step by its index', () => {
    given(pipelineDecider, [])
      .when(
        create({ definition: definitionWith({ steps: [mapStep({ drop: ['a'] }), { kind: 'explode' }] }) }),
      )
      .thenThrows('VALIDATION_FAILED', ['steps[1].kind']);
  });

  it('rejects a map step that neither renames nor drops', () => {
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ steps: [mapStep({ drop: ['a'] }), mapStep({})] }) }))
      .thenThrows('VALIDATION_FAILED', ['steps[1]']);
  });

  it('rejects a field that is both renamed and dropped, naming the drop entry', () => {
    given(pipelineDecider, [])
      .when(
        create({
          definition: definitionWith({ steps: [mapStep({ rename: { a: 'b' }, drop: ['x', 'a'] })] }),
        }),
      )
      .thenThrows('VALIDATION_FAILED', ['steps[0].drop[1]']);
  });

  it('rejects two renames to one target, naming the second', () => {
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ steps: [mapStep({ rename: { a: 'x', b: 'x' } })] }) }))
      .thenThrows('VALIDATION_FAILED', ['steps[0].rename.b']);
  });

  it('rejects field names with spaces, in renames and drops', () => {
    given(pipelineDecider, [])
      .when(
        create({ definition: definitionWith({ steps: [mapStep({ rename: { 'a b': 'c', d: 'e f' } })] }) }),
      )
      .thenThrows('VALIDATION_FAILED', ['steps[0].rename', 'steps[0].rename.d']);
    given(pipelineDecider, [])
      .when(create({ definition: definitionWith({ steps: [mapStep({ drop: ['ok', 'not ok'] })] }) }))
      .thenThrows('VALIDATION_FAILED', ['steps[0].drop[1]']);
  });

  it('reports every problem at once, the name first', () => {
    const broken = definitionWith({
      source: { topic: 'same', format: 'json' },
      steps: [mapStep({}), { kind: 'explode' }, { kind: 'filter', expr: 'amount >' }],
      sink: { topic: 'same' },
    });
    given(pipelineDecider, [])
      .when(create({ name: ' ', definition: broken }))
      .thenThrows('VALIDATION_FAILED', ['name', 'sink.topic', 'steps[0]', 'steps[1].kind', 'steps[2].expr']);
  });

  it('refuses to create a pipeline that exists, in any status', () => {
    for (const history of [[created], [created, activated], [created, activated, paused]]) {
      given(pipelineDecider, history).when(create()).thenThrows('PIPELINE_ALREADY_EXISTS');
    }
  });
});

describe('pipeline decider: ActivatePipeline and PausePipeline', () => {
  it('refuses to activate or pause a pipeline that does not exist', () => {
    given(pipelineDecider, []).when(activate).thenThrows('PIPELINE_NOT_FOUND');
    given(pipelineDecider, []).when(pause).thenThrows('PIPELINE_NOT_FOUND');
  });

  it('activates a draft at its version', () => {
    given(pipelineDecider, [created]).when(activate).thenEvents([activated]);
  });

  it('activates a paused pipeline again', () => {
    given(pipelineDecider, [created, activated, paused]).when(activate).thenEvents([activated]);
  });

  it('refuses to activate an active pipeline', () => {
    given(pipelineDecider, [created, activated]).when(activate).thenThrows('PIPELINE_ALREADY_ACTIVE');
    given(pipelineDecider, [created, activated, paused, activated])
      .when(activate)
      .thenThrows('PIPELINE_ALREADY_ACTIVE');
  });

  it('pauses an active pipeline', () => {
    given(pipelineDecider, [created, activated]).when(pause).thenEvents([paused]);
  });

  it('records nothing when pausing a pipeline that is not running', () => {
    given(pipelineDecider, [created, activated, paused]).when(pause).thenEvents([]);
    given(pipelineDecider, [created]).when(pause).thenEvents([]);
  });
});

describe('pipeline decider: evolve', () => {
  const draft: PipelineState = {
    status: 'draft',
    pipelineId,
    name: 'Orders',
    versions: [{ version: 1, definition, status: 'published', savedAt: '2026-01-01T00:00:00.000Z' }],
    version: 1,
    definition,
  };

  it('starts with no pipeline', () => {
    given(pipelineDecider, []).thenState({ status: 'none' });
  });

  it('follows the status through creation, activation and pause', () => {
    given(pipelineDecider, [created]).thenState(draft);
    given(pipelineDecider, [created, activated]).thenState({ ...draft, status: 'active' });
    given(pipelineDecider, [created, activated, paused]).thenState({ ...draft, status: 'paused' });
    given(pipelineDecider, [created, activated, paused, activated]).thenState({ ...draft, status: 'active' });
  });

  it('reads events stored before versions existed, exactly as they were written', () => {
    // The stored JSON of the first release, not built with this release's types.
    const stored = JSON.parse(`[
      {"type":"PipelineCreated","data":{"pipelineId":"p-1","name":"Orders","version":1,
        "definition":{"source":{"topic":"orders.raw","format":"json"},
          "steps":[{"kind":"map","rename":{"cust":"customerId"},"drop":["internal"]}],
          "sink":{"topic":"orders.clean"}},
        "createdAt":"2026-01-01T00:00:00.000Z"}},
      {"type":"PipelineActivated","data":{"pipelineId":"p-1","version":1,"activatedAt":"2026-01-02T00:00:00.000Z"}},
      {"type":"PipelinePaused","data":{"pipelineId":"p-1","pausedAt":"2026-01-03T00:00:00.000Z"}}
    ]`);
    given(pipelineDecider, stored).thenState({ ...draft, status: 'paused' });
    given(pipelineDecider, stored).when(activate).thenEvents([activated]);
  });

  it('ignores an activation or pause that arrives before the creation', () => {
    given(pipelineDecider, [activated, paused]).thenState({ status: 'none' });
  });
});
