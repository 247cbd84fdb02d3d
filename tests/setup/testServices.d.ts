export interface TestServices {
  /** A PostgreSQL database URL; each test file creates its own schema in it. */
  databaseUrl: string;
  redisUrl: string;
  /** host:port of a real Apache Kafka broker. */
  kafkaBrokers: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}
