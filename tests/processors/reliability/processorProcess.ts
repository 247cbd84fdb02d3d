import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PipelineDefinition } from '../../../src/domain/pipelines/pipelineDefinition.js';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./processorChild.ts', import.meta.url));
// What stderr keeps per child for a failure message: kafkajs WARN/ERROR lines and our own logs.
const KEPT_OUTPUT_CHARS = 20_000;

export interface ProcessorProcessOptions {
  brokers: string[];
  /** Also the kafkajs client id, which names the child's members in the group. */
  name: string;
  pipelineId: string;
  version: number;
  definition: PipelineDefinition;
}

export interface ProcessorProcess {
  name: string;
  child: ChildProcess;
  /** Resolves when the child has joined the group; rejects if it exits first. */
  ready: Promise<void>;
  /** Resolves at the child's first committed batch. */
  firstBatch: Promise<void>;
  /** Records in the batches the child reported committed. */
  processed(): number;
  /** The end of the child's stderr (kafkajs and processor logs), for a failure message. */
  stderr(): string;
  /** SIGKILL: no batch finishes, nothing is cleaned up, the group is not told. */
  kill(): Promise<void>;
  /** SIGTERM: the batch in hand commits and the child leaves the group. */
  stop(): Promise<number | null>;
}

/** Starts processorChild.ts through tsx, as `bin/tributary.js` runs our sources. */
export const spawnProcessor = (options: ProcessorProcessOptions): ProcessorProcess => {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TRIBUTARY_KAFKA_BROKERS: options.brokers.join(','),
      TRIBUTARY_CLIENT_ID: options.name,
      TRIBUTARY_PIPELINE: JSON.stringify({
        pipelineId: options.pipelineId,
        version: options.version,
        definition: options.definition,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let processed = 0;
  let onReady: () => void = () => {};
  let onFirstBatch: () => void = () => {};
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    void exited.then((code) =>
      reject(new Error(`${options.name} exited (${code}) before it was ready:\n${stderr}`)),
    );
  });
  const firstBatch = new Promise<void>((resolve) => {
    onFirstBatch = resolve;
  });
  // A kill before the child is ready must not surface as an unhandled rejection.
  ready.catch(() => undefined);
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') onReady();
      const batch = line.match(/^batch \d+ \d+ (\d+)$/);
      if (batch) {
        processed += Number(batch[1]);
        onFirstBatch();
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-KEPT_OUTPUT_CHARS);
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  return {
    name: options.name,
    child,
    ready,
    firstBatch,
    processed: () => processed,
    stderr: () => stderr,
    kill: async () => {
      if (isRunning()) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (isRunning()) child.kill('SIGTERM');
      return exited;
    },
  };
};
