import {
  type PipelineCommand,
  pipelineDecider,
  pipelineStreamId,
} from '../../src/domain/pipelines/pipeline.js';
import { handleCommand } from '../../src/infra/eventstore/handleCommand.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgresEventStore.js';
import { postgresEventStoreMigrations } from '../../src/infra/eventstore/postgresEventStoreMigrations.js';
import { createPostgresLog } from '../../src/infra/log/postgresLog.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { createTestSchema, dropTestSchema, testServices } from '../setup/testServices.js';

/**
 * A schema with the event store and the embedded log, for CLI commands run against it as an
 * operator would (`env`), and the same stores in this process to set the scene and check.
 */
export const cliTestBed = (name: string) => {
  const { databaseUrl } = testServices();
  const schema = createTestSchema(name);
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 4 });
  const eventStore = createPostgresEventStore({ pool, schema });
  const log = createPostgresLog({ pool, schema });
  const at = new Date().toISOString();
  return {
    schema,
    eventStore,
    log,
    env: { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, LOG_LEVEL: 'warn' },
    setUp: () => migrate(pool, schema, postgresEventStoreMigrations),
    tearDown: async () => {
      await log.close();
      await eventStore.close();
      await pool.end();
      await dropTestSchema(databaseUrl, schema);
    },
    /** A pipeline reading `topic` (JSON) and writing `<topic>.clean`, with its version 1 published. */
    createPipeline: async (pipelineId: string, topic: string) => {
      const command: PipelineCommand = {
        type: 'CreatePipeline',
        data: {
          pipelineId,
          name: pipelineId,
          definition: { source: { topic, format: 'json' }, steps: [], sink: { topic: `${topic}.clean` } },
          createdAt: at,
        },
      };
      await handleCommand(eventStore, pipelineDecider, pipelineStreamId(pipelineId), command, {
        actor: 'test',
        occurredAt: at,
      });
    },
  };
};
