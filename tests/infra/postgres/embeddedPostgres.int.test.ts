import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EmbeddedPostgresServer,
  embeddedPostgresUrl,
  startEmbeddedPostgres,
} from '../../../src/infra/postgres/embeddedPostgres.js';

const modulePath = fileURLToPath(new URL('../../../src/infra/postgres/embeddedPostgres.ts', import.meta.url));

const servers: EmbeddedPostgresServer[] = [];
const children: ChildProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  // SIGTERM, not SIGKILL: the child then stops the server it started (as `tributary dev` does).
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

// Like a project checkout: a folder everyone may enter, with `.tributary/postgres` not there yet.
const freshDataDir = async () => {
  const project = await mkdtemp(path.join(tmpdir(), 'tributary-embedded-pg-'));
  folders.push(project);
  await chmod(project, 0o755);
  return path.join(project, '.tributary', 'postgres');
};

const freePort = async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
};

const start = async (dataDir: string, port: number) => {
  const server = await startEmbeddedPostgres({ dataDir, port });
  servers.push(server);
  return server;
};

const stop = async (server: EmbeddedPostgresServer) => {
  servers.splice(servers.indexOf(server), 1);
  await server.stop();
};

const query = async (connectionString: string, sql: string) => {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

const postmasterPid = async (dataDir: string) =>
  Number.parseInt((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]!, 10);

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// What `npm run dev` is when SIGKILLed: a Node process that started the server and never stopped it.
const startInAnotherProcess = async (dataDir: string, port: number) => {
  const script = `
    const { startEmbeddedPostgres } = await import(process.env.MODULE);
    const server = await startEmbeddedPostgres({ dataDir: process.env.DATA_DIR, port: Number(process.env.PORT) });
    process.once('SIGTERM', () => server.stop().then(() => process.exit(0)));
    console.log('ready');
    setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, MODULE: modulePath, DATA_DIR: dataDir, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  while (!output.includes('ready')) {
    if (child.exitCode !== null) throw new Error(`the other process exited with ${child.exitCode}`);
    await sleep(100);
  }
  return child;
};

describe('startEmbeddedPostgres', () => {
  it('given an empty data directory, when started, then the tributary database answers queries', async () => {
    const server = await start(await freshDataDir(), await freePort());

    expect(await query(server.connectionString, 'SELECT 1 AS one, current_database() AS db')).toEqual([
      { one: 1, db: 'tributary' },
    ]);
    expect(server.connectionString).toMatch(/^postgres:\/\/tributary:[^@]+@127\.0\.0\.1:\d+\/tributary$/);
  });

  it('given a row written before a clean stop, when started again on the same directory, then the row is there', async () => {
    const dataDir = await freshDataDir();
    const port = await freePort();
    const first = await start(dataDir, port);
    await query(
      first.connectionString,
      "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before stop')",
    );
    await stop(first);

    const second = await start(dataDir, port);

    expect(await query(second.connectionString, 'SELECT note FROM kept')).toEqual([{ note: 'before stop' }]);
  });

  it('given the process that started the server was SIGKILLed, when started again, then the orphaned server is replaced and data kept', async () => {
    const dataDir = await freshDataDir();
    const port = await freePort();
    const other = await startInAnotherProcess(dataDir, port);
    const orphan = await postmasterPid(dataDir);
    await query(
      embeddedPostgresUrl(port),
      "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before kill')",
    );
    other.kill('SIGKILL');
    await once(other, 'exit');
    expect(isAlive(orphan)).toBe(true);

    const server = await start(dataDir, port);

    expect(await postmasterPid(dataDir)).not.toBe(orphan);
    expect(await query(server.connectionString, 'SELECT note FROM kept')).toEqual([{ note: 'before kill' }]);
  });

  it('given a server started by a process that still runs, when started again, then it refuses and that server keeps running', async () => {
    const dataDir = await freshDataDir();
    const port = await freePort();
    const other = await startInAnotherProcess(dataDir, port);

    await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
      `embedded PostgreSQL already runs on ${dataDir} (pid ${await postmasterPid(dataDir)}), started by process ${other.pid}`,
    );
    expect(await query(embeddedPostgresUrl(port), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('given the server itself was SIGKILLed, when stopped and started again, then it recovers the committed row', async () => {
    const dataDir = await freshDataDir();
    const port = await freePort();
    const first = await start(dataDir, port);
    await query(
      first.connectionString,
      "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before crash')",
    );
    const pid = await postmasterPid(dataDir);
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);

    await stop(first);
    const second = await start(dataDir, port);

    expect(await query(second.connectionString, 'SELECT note FROM kept')).toEqual([{ note: 'before crash' }]);
  });

  it('given a postmaster.pid naming a PID now used by another program, when started, then it starts anyway', async () => {
    const dataDir = await freshDataDir();
    const port = await freePort();
    await stop(await start(dataDir, port));
    const unrelated = spawn('sleep', ['60']);
    children.push(unrelated);
    await writeFile(path.join(dataDir, 'postmaster.pid'), `${unrelated.pid}\n${dataDir}\n`);

    const server = await start(dataDir, port);

    expect(await query(server.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('given the port is taken, when started, then the error says PostgreSQL failed to start and why', async () => {
    const dataDir = await freshDataDir();
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
        /embedded PostgreSQL failed to start: [\s\S]*could not bind IPv4 address "127\.0\.0\.1": Address already in use/,
      );
    } finally {
      blocker.close();
    }
  });
});
