import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const SHUTDOWN_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

type PostmasterProcess = { state: 'gone' } | { state: 'foreign' } | { state: 'running'; command: string };

/**
 * Makes `dataDir` startable again after a run that ended without stopping PostgreSQL.
 *
 * SIGKILL of `npm run dev` does not reach the postmaster, a separate process: it lives on, orphaned,
 * holding the port and the data directory, so the next start would fail. Such a leftover is shut down
 * (fast shutdown: nothing committed is lost). A postmaster.pid whose PID now belongs to an unrelated
 * process (PIDs are reused, often after a container restart) is removed, because PostgreSQL would take
 * that process for another server and refuse to start. A PID that is simply gone PostgreSQL handles itself.
 */
export const clearStalePostmaster = async (dataDir: string, log: (line: string) => void): Promise<void> => {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = await readPostmasterPid(pidFile);
  if (pid === undefined) return;
  const found = await inspectProcess(pid);
  if (found.state !== 'running') return;
  if (!isPostmasterOf(found.command, dataDir)) {
    log(`removing stale ${pidFile}: its pid ${pid} now runs "${found.command}"`);
    await rm(pidFile, { force: true });
    return;
  }
  log(`stopping the PostgreSQL (pid ${pid}) that an earlier run left running on ${dataDir}`);
  await shutDown(pid, pidFile);
};

const readPostmasterPid = async (pidFile: string): Promise<number | undefined> => {
  try {
    const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

// The postmaster keeps the command line it was spawned with: `<bin>/postgres -D <dataDir> -p <port> ...`.
const isPostmasterOf = (command: string, dataDir: string): boolean =>
  /(^|\/)postgres\s/.test(command) && command.includes(`-D ${dataDir}`);

const inspectProcess = async (pid: number): Promise<PostmasterProcess> => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: another user's process, so not a server we started (ours runs as us, or as `postgres` when
    // we are root, and root may signal anyone). Leave it to PostgreSQL, whose error names the PID.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? { state: 'foreign' } : { state: 'gone' };
  }
  const command = await commandLineOf(pid);
  return command === undefined ? { state: 'gone' } : { state: 'running', command };
};

const commandLineOf = async (pid: number): Promise<string | undefined> => {
  try {
    // A zombie still answers kill(pid, 0) but is dead; an orphan may stay one where PID 1 does not reap.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
  } catch {
    // No /proc (macOS): ask ps, which prints nothing and fails for a PID that is gone.
    try {
      const { stdout } = await promisify(execFile)('ps', ['-o', 'command=', '-p', String(pid)]);
      return stdout.trim() || undefined;
    } catch {
      return undefined;
    }
  }
};

const shutDown = async (pid: number, pidFile: string): Promise<void> => {
  signal(pid, 'SIGINT');
  if (!(await waitUntilStopped(pid, pidFile, SHUTDOWN_TIMEOUT_MS))) {
    // A fast shutdown that hangs this long will not finish; crash recovery on the next start replays the WAL.
    signal(pid, 'SIGKILL');
    await waitUntilStopped(pid, pidFile, 5_000);
  }
  // Normally already gone; a zombie keeps its PID alive for PostgreSQL's own stale-lock check.
  await rm(pidFile, { force: true });
};

const signal = (pid: number, name: NodeJS.Signals): void => {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
};

// PostgreSQL deletes postmaster.pid as the last step of a clean shutdown.
const waitUntilStopped = async (pid: number, pidFile: string, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await readPostmasterPid(pidFile)) !== pid) return true;
    if ((await inspectProcess(pid)).state === 'gone') return true;
    await sleep(POLL_MS);
  }
  return false;
};
