import { createKafkaLog } from '../../src/infra/log/kafkaLog.js';
import type { Log } from '../../src/infra/log/log.js';
import { createPostgresLog } from '../../src/infra/log/postgresLog.js';
import { createPostgresPool } from '../../src/infra/postgres/postgresPool.js';
import { testServices } from '../setup/testServices.js';

export interface LogUnderTest {
  name: string;
  open(schema: string): { log: Log; close(): Promise<void> };
}

/** Processors run on both logs: real Kafka, and the embedded log of `npm run dev` in PostgreSQL. */
export const logsUnderTest: LogUnderTest[] = [
  {
    name: 'Kafka',
    open: () => {
      const log = createKafkaLog({ brokers: testServices().kafkaBrokers });
      return { log, close: () => log.close() };
    },
  },
  {
    name: 'the embedded log',
    open: (schema) => {
      const pool = createPostgresPool({ connectionString: testServices().databaseUrl, schema, max: 6 });
      const log = createPostgresLog({ pool, schema });
      return {
        log,
        close: async () => {
          await log.close();
          await pool.end();
        },
      };
    },
  },
];
