import { createKafkaLog } from '../../../src/infra/log/kafkaLog.js';
import { testServices } from '../../setup/testServices.js';
import { eventRelaySuite } from './eventRelaySuite.js';

const { kafkaBrokers } = testServices();

// Each test publishes to a topic of its own on the run's shared broker.
eventRelaySuite('Kafka', () => createKafkaLog({ brokers: kafkaBrokers, clientId: 'relay-test' }));
