/**
 * API under load: 200 concurrent clients (autocannon, its own process, loopback) read one job's
 * status (`GET /v1/jobs/:id`, authenticated with an API key) and, in the same run, `/health`
 * (no auth, no database): the ratio shows what authentication, rate limiting, the database read
 * and the view cost per request. Targets (issue 15): status reads ≥ 50 % of /health throughput,
 * p99 ≤ 250 ms, no errors or timeouts. The API runs as deployed (NODE_ENV=production, its own
 * process, SQLite in a temp dir, local Redis); rate limits are raised so they are paid but never hit.
 * `--quick`: 5 s per endpoint instead of 20 s.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKeyRepository, createJobRepository, migrateToLatest, openDatabase } from '@babelfish/db';
import { round } from './lib/fixtures';

const quick = process.argv.includes('--quick');
const seconds = quick ? 5 : 20;
const connections = 200;
const repoRoot = path.resolve(import.meta.dirname, '..');

type Cannon = { requests: { average: number }; latency: { p50: number; p99: number; max: number }; errors: number; timeouts: number; non2xx: number; '2xx': number };

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelfish-bench-api-'));
const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  DATA_DIR: dataDir,
  QUEUE_PREFIX: `bench-${randomUUID()}`,
  AUTH_MODE: 'api-key',
  HOST: '127.0.0.1',
  PORT: '0',
  RATE_LIMIT_READ_PER_MINUTE: '100000000',
  ALLOW_REMOTE_MODELS: 'false',
};

const database = openDatabase(`file:${path.join(dataDir, 'babelfish.db')}`);
await migrateToLatest(database.db);
const { key } = await createApiKeyRepository(database.db).create({ ownerId: 'bench', name: 'load' });
const job = await createJobRepository(database.db).create({ ownerId: 'bench', targetLanguages: ['es', 'fr'], sourceLanguage: 'en', originalName: 'talk.mp4', inputKey: 'jobs/x/input', mediaDuration: 84.5 });
await database.close();

const api = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'apps/api/src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const port = await new Promise<number>((resolve, reject) => {
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    const match = /"message":"api listening"[^\n]*?"port":(\d+)/.exec(output);
    if (match) resolve(Number(match[1]));
  };
  api.stdout.on('data', onData);
  api.stderr.on('data', onData);
  api.once('exit', (code) => reject(new Error(`api exited ${code}: ${output}`)));
});
const base = `http://127.0.0.1:${port}`;

function cannon(url: string, headers: Record<string, string> = {}): Promise<Cannon> {
  const args = ['-c', String(connections), '-d', String(seconds), '-j', ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}=${value}`]), url];
  return new Promise((resolve, reject) => {
    execFile(path.join(repoRoot, 'node_modules/.bin/autocannon'), args, { maxBuffer: 1 << 26 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as Cannon);
    });
  });
}

const summary = (result: Cannon) => ({
  reqPerSec: round(result.requests.average, 0),
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  maxMs: result.latency.max,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
});

try {
  // Warm-up (JIT, SQLite page cache, Redis connections), not measured.
  await cannon(`${base}/v1/jobs/${job.id}`, { authorization: `Bearer ${key}` }).catch(() => undefined);
  const health = summary(await cannon(`${base}/health`));
  const status = summary(await cannon(`${base}/v1/jobs/${job.id}`, { authorization: `Bearer ${key}` }));
  console.log(
    JSON.stringify({
      connections,
      secondsPerEndpoint: seconds,
      health,
      jobStatus: status,
      statusVsHealthThroughput: round(status.reqPerSec / health.reqPerSec, 2),
      targets: { throughputRatioAtLeast: 0.5, p99MsAtMost: 250, errors: 0 },
      met: status.reqPerSec / health.reqPerSec >= 0.5 && status.p99Ms <= 250 && status.errors + status.timeouts + status.non2xx === 0,
    }),
  );
} finally {
  api.kill('SIGTERM');
  await new Promise((resolve) => api.once('exit', resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
