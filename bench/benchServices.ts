import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import pg from 'pg';
import { loadConfig } from '../src/config.js';

/** The PostgreSQL server and Redis the benchmarks run on; local ones unless told otherwise. */
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const admin = async <T>(work: (client: pg.Client) => Promise<T>) => {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

/**
 * A database of its own for one benchmark, created empty (a leftover of a run that died is
 * dropped first), with the function that drops it again. Everything a benchmark creates,
 * projection generation schemas included, goes with it.
 */
export const freshDatabase = async (name: string) => {
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
};

/** A platform config on the bench services: no Kafka (no processor runs), Redis for live views. */
// Production as deployed: authentication on (an admin signs in), rate limits off (a benchmark
// is one client asking as fast as it can, which a limit would only cut short).
const BENCH_ADMIN = { email: 'bench@example.com', password: randomBytes(18).toString('base64url') };

export const benchConfig = (databaseUrl: string, namespace: string) =>
  loadConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: namespace,
    REDIS_URL: BENCH_REDIS_URL,
    PORT: '0',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    JWT_SECRET: BENCH_JWT_SECRET,
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    BOOTSTRAP_ADMIN_EMAIL: BENCH_ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: BENCH_ADMIN.password,
    RATE_LIMIT_API_PER_MINUTE: '0',
    RATE_LIMIT_LOGIN_PER_MINUTE: '0',
  });

const BENCH_JWT_SECRET = randomBytes(32).toString('hex');

/** The bench admin's access token, from the platform's own login: requests carry it as users' do. */
export const benchToken = async (graphqlUrl: string): Promise<string> => {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query:
        'mutation L($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
      variables: BENCH_ADMIN,
    }),
  });
  const body = (await response.json()) as { data?: { login: { accessToken: string } }; errors?: unknown };
  if (!body.data) throw new Error(`bench login failed: ${JSON.stringify(body.errors)}`);
  return body.data.login.accessToken;
};

/** The machine's load, for the record: these benchmarks share their cores with whatever else runs. */
export const reportLoad = (when: string) => {
  const [one, five] = loadavg();
  process.stderr.write(`load average ${when}: ${one?.toFixed(2)} (1 min), ${five?.toFixed(2)} (5 min)\n`);
};
