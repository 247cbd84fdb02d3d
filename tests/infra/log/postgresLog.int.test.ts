import { afterAll } from 'vitest';
import { createPostgresLog } from '../../../src/infra/log/postgresLog.js';
import { createPostgresPool } from '../../../src/infra/postgres/postgresPool.js';
import { createTestSchema, dropTestSchema, testServices } from '../../setup/testServices.js';
import { logContract } from './logContract.js';

const { databaseUrl } = testServices();
// The log creates its schema with its tables on first use.
const schema = createTestSchema('log');

afterAll(async () => {
  await dropTestSchema(databaseUrl, schema);
});

// A pool per log, as a restarted process would have.
logContract('postgresLog', async () => {
  const pool = createPostgresPool({ connectionString: databaseUrl, schema, max: 4 });
  return { log: createPostgresLog({ pool, schema }), cleanup: () => pool.end() };
});
