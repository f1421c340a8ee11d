import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeVideoWithSilentAudio } from '../support/media';
import { repoRoot, sample } from '../support/paths';
import { startStack, submitAndWait, type Stack } from '../support/stack';

/**
 * The CLI as a client of a running service (submit/status/wait/download/cancel), run as its own
 * process against the real API and worker. Async spawn: the API serves from this process.
 */

type Run = { code: number; stdout: string; stderr: string };

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      ['--conditions=development', 'apps/cli/src/main.ts', ...args],
      { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('babelfish submit|status|wait|download against a running service', () => {
  let stack: Stack;
  let scratch: string;
  let auth: string[];

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite' });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-cli-client-'));
    auth = ['--server', stack.api.url, '--key', stack.apiKey];
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('submits, waits with progress, downloads every output; status and a filtered download work on the id', async () => {
    const out = path.join(scratch, 'all');
    const run = await cli(['submit', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--wait', '--out', out, ...auth]);
    expect(run.stderr).toMatch(/submitted [0-9a-f-]{36}/);
    expect(run.stderr).toMatch(/completed/);
    expect(run.code).toBe(0);
    const files = run.stdout.trim().split('\n');
    expect(files.map((file) => path.basename(file))).toEqual(expect.arrayContaining(['jfk.es.srt', 'jfk.es.vtt', 'jfk.subtitled.mp4', 'jfk.subtitled.mkv']));
    expect(fs.readFileSync(path.join(out, 'jfk.es.srt'), 'utf8')).toMatch(/país/);
    expect(fs.readdirSync(out).some((name) => name.endsWith('.part'))).toBe(false);
    const jobId = /submitted ([0-9a-f-]{36})/.exec(run.stderr)![1]!;

    const status = await cli(['status', jobId, '--json', ...auth]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: jobId, status: 'completed', targetLanguages: ['es'] });

    const only = path.join(scratch, 'only');
    const download = await cli(['download', jobId, '--kind', 'srt', '--language', 'es', '--out', only, ...auth]);
    expect(download.code).toBe(0);
    expect(fs.readdirSync(only)).toEqual(['jfk.es.srt']);
  });

  it('prints only the id without --wait, and wait reports a failed job with its reason and exit code 1', async () => {
    const silent = path.join(scratch, 'silent.mp4');
    makeVideoWithSilentAudio(silent);
    const submitted = await cli(['submit', silent, '--to', 'es', '--from', 'en', ...auth], { BABELFISH_SERVER: 'http://ignored.invalid' });
    expect(submitted.code).toBe(0);
    const jobId = submitted.stdout.trim();
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    const waited = await cli(['wait', jobId, '--timeout', '90', ...auth]);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toMatch(/failed/);
    expect(waited.stderr).toMatch(new RegExp(`job ${jobId} failed: .+`));
  });

  it('reads the server and key from BABELFISH_SERVER and BABELFISH_API_KEY', async () => {
    const { jobId } = await submitAndWait(stack, stack.apiKey, sample('jfk.mp4'), { to: 'es', from: 'en' });
    const run = await cli(['status', jobId], { BABELFISH_SERVER: stack.api.url, BABELFISH_API_KEY: stack.apiKey });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${jobId}  completed`);
  });

  it('fails clearly: wrong key, another owner\'s job, not a video, no server, bad usage', async () => {
    const wrongKey = await cli(['status', '00000000-0000-0000-0000-000000000000', '--server', stack.api.url, '--key', 'bf_000000000000.nope']);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/UNAUTHORIZED: .*HTTP 401/);

    const { jobId } = await submitAndWait(stack, stack.apiKey, sample('jfk.mp4'), { to: 'es', from: 'en' });
    const strangerKey = await stack.createApiKey('stranger');
    const stranger = await cli(['download', jobId, '--out', scratch, '--server', stack.api.url, '--key', strangerKey]);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/NOT_FOUND/);

    const text = path.join(scratch, 'notes.mp4');
    fs.writeFileSync(text, 'these are not moving pictures\n'.repeat(100));
    const notVideo = await cli(['submit', text, '--to', 'es', ...auth]);
    expect(notVideo.code).toBe(1);
    expect(notVideo.stderr).toMatch(/UNSUPPORTED_MEDIA/);

    // --webhook goes with the submission (and is checked there: a private address is refused).
    const privateHook = await cli(['submit', sample('jfk.mp4'), '--to', 'es', '--webhook', 'http://10.0.0.1/hook', ...auth]);
    expect(privateHook.code).toBe(1);
    expect(privateHook.stderr).toMatch(/Webhook URL refused/);

    const noServer = await cli(['status', jobId, '--server', 'http://127.0.0.1:9', '--key', stack.apiKey]);
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9/);

    expect((await cli(['submit', sample('jfk.mp4'), ...auth])).code).toBe(2);
    expect((await cli(['wait', ...auth])).code).toBe(2);
  });
});
