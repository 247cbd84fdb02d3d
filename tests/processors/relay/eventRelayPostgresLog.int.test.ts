import { createPostgresLog } from '../../../src/infra/log/postgresLog.js';
import { eventRelaySuite } from './eventRelaySuite.js';

// The embedded log of dev mode, in the test file's own schema beside the event store.
eventRelaySuite('the embedded log (PostgreSQL)', ({ pool, schema }) => createPostgresLog({ pool, schema }));
