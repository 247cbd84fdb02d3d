import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const SHUTDOWN_TIMEOUT_MS = 30_000;
const POLL_MS = 100;
const OWNER_SETTING = 'tributary.owner_pid';

/**
 * Command-line flags that mark a postmaster with the process that starts it. A custom setting is
 * harmless to PostgreSQL and visible in the process list, which outlives any file we could write.
 */
export const ownerFlags = (): string[] => ['-c', `${OWNER_SETTING}=${process.pid}`];

type ProcessInfo =
  | { state: 'gone' }
  | { state: 'foreign' }
  | { state: 'running'; parent: number; command: string };

/**
 * Makes `dataDir` startable again after a run that ended without stopping PostgreSQL, and refuses
 * to start a second server on it.
 *
 * SIGKILL of `npm run dev` does not reach the postmaster, a separate process: it lives on, orphaned
 * (its parent is no longer the owner named by `ownerFlags`), holding the port and the data directory.
 * Such a leftover is shut down; a fast shutdown loses nothing committed. A postmaster whose owner
 * still runs is left alone: that is a live `npm run dev`. A postmaster.pid whose PID now belongs to
 * an unrelated program (PIDs are reused, often after a container restart) is removed, because
 * PostgreSQL would take it for another server and refuse to start. A PID that is simply gone,
 * PostgreSQL handles itself.
 */
export const clearStalePostmaster = async (dataDir: string, log: (line: string) => void): Promise<void> => {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = await readPostmasterPid(pidFile);
  if (pid === undefined) return;
  const found = await inspectProcess(pid);
  if (found.state !== 'running') return;
  if (!/(^|\/)postgres\s/.test(found.command) || !found.command.includes(`-D ${dataDir}`)) {
    log(`removing stale ${pidFile}: its pid ${pid} now runs "${found.command}"`);
    await rm(pidFile, { force: true });
    return;
  }
  const owner = Number(new RegExp(`${OWNER_SETTING}=(\\d+)`).exec(found.command)?.[1]);
  if (Number.isNaN(owner)) {
    throw new Error(`a PostgreSQL not started by Tributary (pid ${pid}) runs on ${dataDir}: stop it first`);
  }
  if (found.parent === owner) {
    throw new Error(
      `embedded PostgreSQL already runs on ${dataDir} (pid ${pid}), started by process ${owner}`,
    );
  }
  log(
    `stopping the PostgreSQL (pid ${pid}) that an earlier run (process ${owner}) left running on ${dataDir}`,
  );
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

const inspectProcess = async (pid: number): Promise<ProcessInfo> => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: another user's process, so not a server we started (ours runs as us, or as `postgres` when
    // we are root, and root may signal anyone). Leave it to PostgreSQL, whose error names the PID.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? { state: 'foreign' } : { state: 'gone' };
  }
  try {
    // Fields after the command name: state, parent pid, ... A zombie still answers kill(pid, 0) but is
    // dead; an orphan may stay one where PID 1 does not reap.
    const [state, parent] = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ');
    if (state === 'Z') return { state: 'gone' };
    const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
    return { state: 'running', parent: Number(parent), command };
  } catch {
    return inspectWithPs(pid);
  }
};

// Where there is no /proc (macOS). ps prints nothing, and fails, for a PID that is gone.
const inspectWithPs = async (pid: number): Promise<ProcessInfo> => {
  try {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'ppid=,command=', '-p', String(pid)]);
    const match = /^\s*(\d+)\s+(.*)$/s.exec(stdout.trim());
    return match ? { state: 'running', parent: Number(match[1]), command: match[2]! } : { state: 'gone' };
  } catch {
    return { state: 'gone' };
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
