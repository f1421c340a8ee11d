import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths';

/** `ms`: how long the process ran. */
export type CliRun = { code: number | null; stdout: string; stderr: string; ms: number };

/**
 * Runs `babelfish …` from source as its own process. Asynchronous on purpose: a stack's API (or
 * a hub, a webhook receiver) answering from the test process must not be blocked by it.
 */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 170_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=development', 'apps/cli/src/main.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
