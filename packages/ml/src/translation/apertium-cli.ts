import { spawn } from 'node:child_process';
import { AppError } from '@babelfish/core';

/**
 * Thin wrapper over the `apertium` command. Text goes in on stdin and arguments as an array,
 * never through a shell, so subtitle text cannot be interpreted as shell syntax.
 */

export type RunResult = { stdout: string; stderr: string; code: number | null };

const TIMEOUT_MS = 120_000;

function run(command: string, args: string[], input: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), code });
    });
    // A process that exits early closes stdin; that shows up in `close`, not as a crash here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input, 'utf8');
  });
}

/** Installed translation directions (`eng-spa`, `spa-eng_US`, …); none when apertium is not installed. */
export async function listModes(command = 'apertium'): Promise<string[]> {
  try {
    const { stdout, code } = await run(command, ['-l'], '');
    if (code !== 0) return [];
    return stdout
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  } catch {
    return []; // ENOENT: not installed, so the engine simply offers no pairs
  }
}

/** Translates `text` with one apertium process; `-u` drops the `*` marks on unknown words. */
export async function translateWithApertium(mode: string, text: string, command = 'apertium'): Promise<string> {
  let result: RunResult;
  try {
    result = await run(command, ['-u', mode], text);
  } catch (error) {
    throw new AppError('TRANSLATION_FAILED', `Could not run ${command}: ${(error as Error).message}`, { mode }, { cause: error });
  }
  if (result.code !== 0) {
    const reason = result.stderr.trim() || `exit code ${String(result.code)}`;
    throw new AppError('TRANSLATION_FAILED', `apertium ${mode} failed: ${reason}`, { mode });
  }
  return result.stdout;
}
