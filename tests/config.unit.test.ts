import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('config', () => {
  it('uses the embedded defaults when no variable is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      http: { host: '127.0.0.1', port: 4000 },
      databaseUrl: null,
      databaseSchema: 'tributary',
      kafkaBrokers: null,
      eventsTopic: 'tributary.events',
      redisUrl: null,
      eventStoreUrl: null,
      embedded: { dataDir: '.tributary', postgresPort: 5488 },
    });
  });

  it('switches each part to its real service when its variable is set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/tributary',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      REDIS_URL: 'redis://cache:6379',
      EVENTSTORE_URL: 'esdb://es:2113?tls=false',
    });
    expect(config.databaseUrl).toBe('postgres://u@db:5432/tributary');
    expect(config.kafkaBrokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.redisUrl).toBe('redis://cache:6379');
    expect(config.eventStoreUrl).toBe('esdb://es:2113?tls=false');
  });

  it('reports every bad variable at once, each by name', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        KAFKA_BROKERS: 'nohost',
        LOG_LEVEL: 'loud',
        EVENTS_TOPIC: 'events/all',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(5);
      for (const name of ['PORT', 'DATABASE_URL', 'KAFKA_BROKERS', 'LOG_LEVEL', 'EVENTS_TOPIC']) {
        expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
      }
    }
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('reads the secret keys, and takes the only key as the active one', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SECRETS_KEYS: `k1:${key}` }).secrets).toEqual({
      keys: { k1: key },
      activeKeyId: 'k1',
    });
    expect(loadConfig({}).secrets).toBeNull();
  });

  it('refuses secret keys of the wrong size or an active key id that is not among them', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(() => loadConfig({ SECRETS_KEYS: 'k1:c2hvcnQ=' })).toThrow(/SECRETS_KEYS must be/);
    expect(() => loadConfig({ SECRETS_KEYS: `k1:${key},k2:${key}` })).toThrow(
      /SECRETS_ACTIVE_KEY_ID must name/,
    );
    expect(() => loadConfig({ SECRETS_KEYS: `k1:${key}`, SECRETS_ACTIVE_KEY_ID: 'k9' })).toThrow(
      /SECRETS_ACTIVE_KEY_ID/,
    );
  });
  it('turns authentication on by default, with the token lifetimes of the schema', () => {
    expect(loadConfig({}).auth).toEqual({
      disabled: false,
      jwtSecret: null,
      jwtPreviousSecret: null,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      bootstrapAdmin: null,
    });
    expect(loadConfig({ AUTH_DISABLED: 'true' }).auth.disabled).toBe(true);
  });

  it('refuses AUTH_DISABLED and a missing or short JWT_SECRET in production, never echoing the secret', () => {
    const attempt = () =>
      loadConfig({ NODE_ENV: 'production', AUTH_DISABLED: 'true', JWT_SECRET: 'too-short-secret' });
    expect(attempt).toThrow(/AUTH_DISABLED=true is refused with NODE_ENV=production/);
    expect(attempt).toThrow(/JWT_SECRET must be at least 32 bytes/);
    expect(attempt).not.toThrow(/too-short-secret/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
    const secret = 'x'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).auth.jwtSecret).toBe(secret);
  });

  it('takes a previous JWT key for rotation only beside a current one, and as long as it', () => {
    const current = 'c'.repeat(32);
    const previous = 'p'.repeat(32);
    expect(loadConfig({ JWT_SECRET: current, JWT_PREVIOUS_SECRET: previous }).auth.jwtPreviousSecret).toBe(
      previous,
    );
    expect(() => loadConfig({ JWT_PREVIOUS_SECRET: previous })).toThrow(
      /JWT_PREVIOUS_SECRET needs JWT_SECRET/,
    );
    const short = () => loadConfig({ JWT_SECRET: current, JWT_PREVIOUS_SECRET: 'short-previous' });
    expect(short).toThrow(/JWT_PREVIOUS_SECRET must be at least 32 bytes/);
    expect(short).not.toThrow(/short-previous/);
  });

  it('reads the first admin from config only when both its e-mail address and password are set', () => {
    expect(
      loadConfig({ BOOTSTRAP_ADMIN_EMAIL: 'ops@example.com', BOOTSTRAP_ADMIN_PASSWORD: ' a long password ' })
        .auth.bootstrapAdmin,
    ).toEqual({ email: 'ops@example.com', password: ' a long password ' });
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_EMAIL: 'ops@example.com' })).toThrow(
      /BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together/,
    );
  });

  it('turns authentication off for tributary dev unless told otherwise, and never in production', () => {
    expect(loadConfig({}).auth.disabled).toBe(false);
    expect(loadConfig({}, { dev: true }).auth.disabled).toBe(true);
    expect(loadConfig({ AUTH_DISABLED: 'false' }, { dev: true }).auth.disabled).toBe(false);
    const production = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, { dev: true });
    expect(production.auth.disabled).toBe(false);
  });
});
