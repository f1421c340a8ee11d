import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnApi, type ApiProcess } from '../support/api-process';
import { modelsDir, repoRoot, sample } from '../support/paths';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/**
 * The production runtime: scripts/build-dist.mjs bundles the API, the worker, its model threads
 * and the CLI into dist/, and the images run them with plain node. Here the compiled API and the
 * compiled worker (every role, Whisper in its thread) run a real job on SQLite and Redis with the
 * real models, and nothing of tsx or esbuild is loaded in the worker, its threads or its process
 * tree: the point of compiling (tsx cost the worker ~80 MB and made transformers.js' bundle
 * several times dearer to load, see bench/README.md).
 */

const dist = path.join(repoRoot, 'dist');
const recorder = path.join(__dirname, '../support/module-recorder.cjs');
const loaderCode = /[/+]tsx[/@]|[/+]esbuild[/@]|@esbuild[/+]/;

function recorded(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** The command lines of a process and all its descendants (from /proc). */
function processTree(pid: number): string[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const lines: string[] = [];
  const visit = (id: number) => {
    try {
      lines.push(fs.readFileSync(`/proc/${id}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      return;
    }
    for (const child of parents.get(id) ?? []) visit(child);
  };
  visit(pid);
  return lines;
}

describe('compiled runtime (dist/, plain node)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-compiled-'));
  const record = path.join(dataDir, 'worker-modules.txt');
  const apiRecord = path.join(dataDir, 'api-modules.txt');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-compiled-${randomUUID()}`,
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    AUTH_MODE: 'none',
    // Only the recorder: a loader inherited from the test's own environment would defeat the point.
    NODE_OPTIONS: '',
  };
  let api: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    // A fresh build every time (under a second): a stale dist/ would test yesterday's code.
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-dist.mjs')], { cwd: repoRoot, stdio: 'pipe' });
    api = await spawnApi({ ...env, NODE_OPTIONS: `--require ${recorder}`, MODULE_RECORD: apiRecord }, 60_000, { script: path.join(dist, 'api.js') });
    worker = await spawnWorker({ ...env, WORKER_ROLES: 'all', NODE_OPTIONS: `--require ${recorder}`, MODULE_RECORD: record }, 120_000, {
      script: path.join(dist, 'worker.js'),
    });
  });

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs jfk.mp4 → Spanish through the compiled API and worker, with the spoken and translated text in the subtitles', async () => {
    const form = new FormData();
    form.set('from', 'en');
    form.set('to', 'es');
    form.set('file', new Blob([fs.readFileSync(sample('jfk.mp4'))], { type: 'video/mp4' }), 'jfk.mp4');
    const submitted = await fetch(`${api!.url}/v1/jobs`, { method: 'POST', body: form });
    expect(submitted.status).toBe(202);
    const jobId = ((await submitted.json()) as { job: { id: string } }).job.id;

    let status = 'queued';
    const deadline = Date.now() + 150_000;
    while (!['completed', 'failed', 'cancelled'].includes(status) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      status = ((await (await fetch(`${api!.url}/v1/jobs/${jobId}`)).json()) as { job: { status: string } }).job.status;
    }
    expect(status).toBe('completed');

    const { outputs } = (await (await fetch(`${api!.url}/v1/jobs/${jobId}/outputs`)).json()) as { outputs: { name: string; url: string }[] };
    // The cues' text, one line (a sentence may run over two cues).
    const spoken = async (name: string) => {
      const srt = await (await fetch(`${api!.url}${outputs.find((output) => output.name === name)!.url}`)).text();
      return srt.split('\n').filter((line) => line.trim() && !/^\d+$/.test(line.trim()) && !line.includes('-->')).join(' ').replace(/\s+/g, ' ').toLowerCase();
    };
    expect(await spoken('jfk.en.srt')).toContain('ask not what your country can do for you');
    expect(await spoken('jfk.es.srt')).toContain('país');
  });

  it('loads no tsx or esbuild: its modules, its threads and its process tree are plain node on dist/', () => {
    const modules = recorded(record);
    // The recorder saw the compiled worker and the compiled Whisper thread (it runs in threads too).
    expect(modules.some((entry) => entry.endsWith('/dist/worker.js'))).toBe(true);
    expect(modules.some((entry) => entry.endsWith('/dist/whisper-thread-entry.js'))).toBe(true);
    // None of our TypeScript sources: every line of our code came from dist/.
    const sources = [path.join(repoRoot, 'apps'), path.join(repoRoot, 'packages')];
    expect(modules.filter((entry) => sources.some((dir) => entry.replace(/^file:\/\//, '').startsWith(dir)))).toEqual([]);
    expect(modules.filter((entry) => loaderCode.test(entry))).toEqual([]);
    const tree = processTree(worker!.child.pid!);
    expect(tree[0]).toContain('dist/worker.js');
    expect(tree.filter((command) => /tsx|esbuild/.test(command))).toEqual([]);
    expect(fs.readFileSync(`/proc/${worker!.child.pid}/maps`, 'utf8')).not.toMatch(/esbuild/);
  });

  it('keeps model code lazy in the bundle: the compiled API, after serving a job, never loaded onnxruntime or transformers.js', () => {
    // esbuild inlines lazily imported modules and hoists their imports unless it splits code
    // (scripts/build-dist.mjs): this is what would show it.
    const modules = recorded(apiRecord);
    expect(modules.some((entry) => entry.endsWith('/dist/api.js'))).toBe(true);
    expect(modules.filter((entry) => /onnxruntime|@huggingface[/+]transformers/.test(entry) || loaderCode.test(entry))).toEqual([]);
    expect(fs.readFileSync(`/proc/${api!.child.pid}/maps`, 'utf8')).not.toMatch(/libonnxruntime/);
  });
});
