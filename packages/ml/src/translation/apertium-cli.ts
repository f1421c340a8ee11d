import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@babelfish/core';

/**
 * Thin wrapper over the `apertium` command, always spawned with an argument array and never
 * through a shell, so subtitle text cannot be interpreted as shell syntax.
 *
 * The text goes in as a temporary file rather than on stdin: the apertium script reads
 * `/dev/stdin` by path, and Node's stdio "pipes" are sockets, which cannot be opened that way
 * (apertium-destxt then prints its usage, outputs nothing and still exits 0).
 */

export type RunResult = { stdout: string; stderr: string; code: number | null };

const TIMEOUT_MS = 120_000;

function run(command: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  });
}

/** Installed translation directions (`eng-spa`, `spa-eng_US`, …); none when apertium is not installed. */
export async function listModes(command = 'apertium'): Promise<string[]> {
  try {
    const { stdout, code } = await run(command, ['-l']);
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
  const dir = await mkdtemp(join(tmpdir(), 'babelfish-apertium-'));
  let result: RunResult;
  try {
    const input = join(dir, 'input.txt');
    await writeFile(input, text, 'utf8');
    result = await run(command, ['-u', mode, input]);
  } catch (error) {
    throw new AppError('TRANSLATION_FAILED', `Could not run ${command}: ${(error as Error).message}`, { mode }, { cause: error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Apertium's pipeline can fail without a non-zero status; no output for real input is a failure.
  if (result.code !== 0 || (text.trim() && !result.stdout.trim())) {
    const reason = result.stderr.trim() || `exit code ${String(result.code)}`;
    throw new AppError('TRANSLATION_FAILED', `apertium ${mode} failed: ${reason}`, { mode });
  }
  return result.stdout;
}
