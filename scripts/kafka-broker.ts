/**
 * Runs the integration tests' Kafka broker by hand until Ctrl-C:
 *   npx tsx scripts/kafka-broker.ts
 * then point the app or a test run at it with the printed KAFKA_BROKERS / TEST_KAFKA_BROKERS.
 */
import { startKafkaBroker } from '../tests/setup/kafkaBroker.js';

const startedAt = Date.now();
const broker = await startKafkaBroker();
const brokers = broker.brokers.join(',');
console.log(`Kafka broker ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; log ${broker.logFile}`);
console.log(`KAFKA_BROKERS=${brokers} TEST_KAFKA_BROKERS=${brokers}`);

await new Promise((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await broker.stop();
