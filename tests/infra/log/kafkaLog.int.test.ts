import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import { testServices } from '../../setup/testServices.js';
import { logContract } from './logContract.js';

const { kafkaBrokers } = testServices();

// Topics and groups are unique per test, so every log shares the run's one broker.
logContract('kafkaLog', async () => ({
  log: createKafkaLog({ brokers: kafkaBrokers, clientId: 'log-contract' }),
}));
