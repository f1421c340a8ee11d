/**
 * Uploads: how long a client waits for its 202 (multipart POST /v1/jobs with a small video,
 * jfk.mp4, 107 KB), and how long until its job starts (the status leaves `queued`: a transcribe
 * worker took it) and until the worker is past reading the video (the first progress after
 * "Reading the video": probing, hashing and the thumbnail are behind it). With 1 upload at a
 * time (median of 3) and 50 at once. The API (NODE_ENV=production, its own process) and one
 * transcribe worker run as deployed, on SQLite, local storage and local Redis with a prefix of
 * their own. Each job is canceled once it is past reading the video, so Whisper does not run
 * and the next job starts; of the 50 at once, the first one to start is reported (the others
 * queue behind it on the one worker). `--quick`: 20 concurrent uploads instead of 50.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKeyRepository, migrateToLatest, openDatabase } from '@babelfish/db';
import { createRedisConnection } from '@babelfish/queue';
import { modelsDir, round, samplePath } from './lib/fixtures';

const quick = process.argv.includes('--quick');
const concurrent = quick ? 20 : 50;
const repoRoot = path.resolve(import.meta.dirname, '..');

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelfish-bench-upload-'));
const prefix = `bench-${randomUUID()}`;
const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATA_DIR: dataDir,
  QUEUE_PREFIX: prefix,
  AUTH_MODE: 'api-key',
  HOST: '127.0.0.1',
  PORT: '0',
  RATE_LIMIT_SUBMIT_PER_MINUTE: '100000',
  RATE_LIMIT_READ_PER_MINUTE: '100000000',
  MODELS_DIR: modelsDir,
  ALLOW_REMOTE_MODELS: 'false',
  // A translate role announces the language pairs the API checks submissions against.
  WORKER_ROLES: 'transcribe,translate',
  UPLOAD_TEMP_DIR: path.join(dataDir, 'receive'),
};

const database = openDatabase(`file:${path.join(dataDir, 'babelfish.db')}`);
await migrateToLatest(database.db);
const { key } = await createApiKeyRepository(database.db).create({ ownerId: 'bench', name: 'uploads' });
await database.close();

function start(entry: string, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', entry], { cwd: repoRoot, env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve({ child, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${entry} exited ${code}: ${output.slice(-3000)}`)));
  });
}

const api = await start('apps/api/src/main.ts', /"message":"api listening"[^\n]*?"port":(\d+)/);
const worker = await start('apps/worker/src/main.ts', /"message":"worker started"/);
const base = `http://127.0.0.1:${api.match[1]}`;
const headers = { authorization: `Bearer ${key}` };
const video = new Blob([fs.readFileSync(samplePath('jfk.mp4'))], { type: 'video/mp4' });

type JobView = { id: string; status: string; stage: string; percent: number; stageProgress: Record<string, unknown> };

async function upload(): Promise<{ id: string; sentAt: number; latencyMs: number }> {
  const form = new FormData();
  form.set('to', 'es');
  form.set('from', 'en');
  form.set('file', video, 'jfk.mp4');
  const sentAt = performance.now();
  const response = await fetch(`${base}/v1/jobs`, { method: 'POST', headers, body: form });
  const body = (await response.json()) as { job?: JobView };
  if (response.status !== 202 || !body.job) throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
  return { id: body.job.id, sentAt, latencyMs: performance.now() - sentAt };
}

/** Past reading the video: the transcribe stage reports more than its first step (or the job ended). */
const pastReading = (job: JobView) => job.status !== 'queued' && (job.status !== 'processing' || job.stage !== 'transcribe' || job.percent > 0 || JSON.stringify(job.stageProgress).includes('Extracting'));

/**
 * Watches the jobs (one list request every 25 ms; `sent` may still grow while it runs, up to
 * `expected`) until `enough` of them are past reading the video, noting
 * when it left `queued` and when it got past reading, and cancels it then (so the next one starts).
 */
async function watch(sent: { id: string; sentAt: number }[], expected = sent.length, enough = expected): Promise<{ startedMs: number[]; pastReadingMs: number[] }> {
  const started = new Map<string, number>();
  const past = new Map<string, number>();
  const deadline = performance.now() + 240_000;
  while ((sent.length < expected || past.size < enough) && performance.now() < deadline) {
    const response = await fetch(`${base}/v1/jobs?limit=200`, { headers });
    const now = performance.now();
    for (const job of ((await response.json()) as { jobs: JobView[] }).jobs) {
      const upload = sent.find((candidate) => candidate.id === job.id);
      if (!upload) continue;
      if (job.status !== 'queued' && !started.has(job.id)) started.set(job.id, now - upload.sentAt);
      if (pastReading(job) && !past.has(job.id)) {
        past.set(job.id, now - upload.sentAt);
        if (job.status === 'processing') await fetch(`${base}/v1/jobs/${job.id}/cancel`, { method: 'POST', headers });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (past.size < enough) throw new Error(`only ${past.size} of ${sent.length} jobs got past reading the video`);
  const known = (times: Map<string, number>) => sent.flatMap((upload) => (times.has(upload.id) ? [times.get(upload.id)!] : []));
  return { startedMs: known(started), pastReadingMs: known(past) };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!, 0);
};
const spread = (values: number[]) => ({ p50: quantile(values, 0.5), p95: quantile(values, 0.95), max: quantile(values, 1), min: quantile(values, 0) });

try {
  // Warm-up (JIT, first ffmpeg runs, the worker's first job), not measured.
  await watch([await upload()]);

  const single: { latencyMs: number; startedMs: number; pastReadingMs: number }[] = [];
  for (let i = 0; i < 3; i += 1) {
    const sent = await upload();
    const watched = await watch([sent]);
    single.push({ latencyMs: sent.latencyMs, startedMs: watched.startedMs[0]!, pastReadingMs: watched.pastReadingMs[0]! });
  }
  const median = (pick: (run: (typeof single)[number]) => number) => quantile(single.map(pick), 0.5);

  // Watched while the uploads are still going: a job may start before the last upload is in.
  const burstStarted = performance.now();
  const burst: Awaited<ReturnType<typeof upload>>[] = [];
  // Until every upload is in and the first job is past reading: the rest queue behind it on the one worker.
  const watching = watch(burst, concurrent, 1);
  await Promise.all(Array.from({ length: concurrent }, () => upload().then((sent) => burst.push(sent))));
  const allAcceptedMs = performance.now() - burstStarted;
  const burstWatched = await watching;

  console.log(
    JSON.stringify({
      video: 'jfk.mp4 (107 KB, 11 s)',
      one: { uploadLatencyMs: median((run) => run.latencyMs), untilStartedMs: median((run) => run.startedMs), untilPastReadingMs: median((run) => run.pastReadingMs), runs: single.map((run) => ({ latencyMs: round(run.latencyMs, 0), startedMs: round(run.startedMs, 0), pastReadingMs: round(run.pastReadingMs, 0) })) },
      concurrent: {
        uploads: concurrent,
        uploadLatencyMs: spread(burst.map((sent) => sent.latencyMs)),
        allAcceptedMs: round(allAcceptedMs, 0),
        firstStartedMs: quantile(burstWatched.startedMs, 0),
        firstPastReadingMs: quantile(burstWatched.pastReadingMs, 0),
      },
    }),
  );
} finally {
  for (const child of [worker.child, api.child]) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  // The queue prefix was this run's own: nothing of it is left in Redis.
  const redis = createRedisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'bench-upload-cleanup');
  for (let cursor = '0'; ; ) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  redis.disconnect();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
