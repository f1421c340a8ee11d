import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths';

export type WorkerProcess = {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  /** Resolves with the exit code (null when a signal ended it) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

export type SpawnWorkerOptions = {
  /**
   * Run node itself with tsx's loader (`node --import tsx`) instead of the tsx CLI, which starts
   * the worker as a grandchild: then a signal sent to `child` (SIGKILL included) reaches the
   * worker itself, and the exit code is the worker's own.
   */
  direct?: boolean;
  /** A compiled entry (dist/worker.js, scripts/build-dist.mjs) run by plain node, as the images do. */
  script?: string;
};

/**
 * Starts `apps/worker` as its own process (tsx, like `pnpm worker`) and resolves once it logs
 * that its BullMQ workers are listening, i.e. after Whisper is loaded.
 */
export async function spawnWorker(env: Record<string, string>, timeoutMs = 60_000, options: SpawnWorkerOptions = {}): Promise<WorkerProcess> {
  const [command, args] = options.script
    ? [process.execPath, ['--enable-source-maps', options.script]]
    : options.direct
    ? [process.execPath, ['--import', 'tsx', '--conditions=development', 'apps/worker/src/main.ts']]
    : [path.join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=development', 'apps/worker/src/main.ts']];
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const exited = exit.then(({ code }) => code);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"message":"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before starting:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    exited: exit,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
