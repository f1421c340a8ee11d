import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from './paths';

export type ApiProcess = {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Whether the process is still running (a crash shows here, not only as failed requests). */
  alive: () => boolean;
  stop: () => Promise<void>;
};

/**
 * The API as deployed: its own process (`node --import tsx apps/api/src/main.ts`), so a fault
 * that would kill it (an unhandled rejection, a throw in a socket handler) kills only it and the
 * test can see that, where an API inside the Jest process would take the test runner down.
 */
export async function spawnApi(env: Record<string, string>, timeoutMs = 60_000, options: { script?: string } = {}): Promise<ApiProcess> {
  // `script`: a compiled entry (dist/api.js, scripts/build-dist.mjs) run by plain node, as the images do.
  const args = options.script ? ['--enable-source-maps', options.script] : ['--import', 'tsx', '--conditions=development', 'apps/api/src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    // Engines of this machine unless the test says otherwise (see stack.ts).
    env: { ...process.env, ENGINE_CATALOGUE: 'local', ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"message":"api listening"[^\n]*?"port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`api exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
