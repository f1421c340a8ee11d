/**
 * API under load: 200 concurrent clients (autocannon, its own process, loopback) read one job's
 * status (`GET /v1/jobs/:id`, authenticated with an API key) and, in the same run, `/health`
 * (no auth, no database): the ratio shows what authentication, rate limiting, the database read
 * and the view cost per request. Targets (issue 15): status reads ≥ 50 % of /health throughput,
 * p99 ≤ 250 ms, no errors or timeouts. The API runs as deployed (NODE_ENV=production, its own
 * process, SQLite in a temp dir, local Redis); rate limits are raised so they are paid but never hit.
 * Each endpoint runs `seconds` in all, in two alternated rounds. `--quick`: 10 s per endpoint
 * instead of 20 s.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKeyRepository, createJobRepository, migrateToLatest, openDatabase } from '@babelfish/db';
import { round } from './lib/fixtures';

const quick = process.argv.includes('--quick');
const seconds = quick ? 10 : 20;
const connections = 200;
const ROUNDS = 2;
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

function cannon(url: string, headers: Record<string, string> = {}, duration = seconds): Promise<Cannon> {
  const args = ['-c', String(connections), '-d', String(duration), '-j', ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}=${value}`]), url];
  return new Promise((resolve, reject) => {
    execFile(path.join(repoRoot, 'node_modules/.bin/autocannon'), args, { maxBuffer: 1 << 26 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as Cannon);
    });
  });
}

/** Rounds of one endpoint together: mean throughput, the worst round's latencies, every failure. */
const combine = (results: Cannon[]) => ({
  reqPerSec: round(results.reduce((sum, result) => sum + result.requests.average, 0) / results.length, 0),
  p50Ms: Math.max(...results.map((result) => result.latency.p50)),
  p99Ms: Math.max(...results.map((result) => result.latency.p99)),
  maxMs: Math.max(...results.map((result) => result.latency.max)),
  ok: results.reduce((sum, result) => sum + result['2xx'], 0),
  non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
  errors: results.reduce((sum, result) => sum + result.errors, 0),
  timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
});

try {
  // Warm-up (JIT, SQLite page cache, Redis connections), not measured.
  await cannon(`${base}/v1/jobs/${job.id}`, { authorization: `Bearer ${key}` }).catch(() => undefined);
  // Alternated rounds (health, status, health, status), each endpoint `seconds` in all: a burst
  // of other work on this shared machine then weighs on both sides of the ratio.
  const rounds: { health: Cannon; status: Cannon }[] = [];
  for (let index = 0; index < ROUNDS; index += 1) {
    const health = await cannon(`${base}/health`, {}, seconds / ROUNDS);
    const status = await cannon(`${base}/v1/jobs/${job.id}`, { authorization: `Bearer ${key}` }, seconds / ROUNDS);
    rounds.push({ health, status });
  }
  const health = combine(rounds.map((pair) => pair.health));
  const status = combine(rounds.map((pair) => pair.status));
  const ratio = status.reqPerSec / health.reqPerSec;
  console.log(
    JSON.stringify({
      connections,
      secondsPerEndpoint: seconds,
      rounds: ROUNDS,
      health,
      jobStatus: status,
      statusVsHealthThroughput: round(ratio, 2),
      perRound: rounds.map((pair) => round(pair.status.requests.average / pair.health.requests.average, 2)),
      targets: { throughputRatioAtLeast: 0.5, p99MsAtMost: 250, errors: 0 },
      met: ratio >= 0.5 && status.p99Ms <= 250 && status.errors + status.timeouts + status.non2xx === 0,
    }),
  );
} finally {
  api.kill('SIGTERM');
  await new Promise((resolve) => api.once('exit', resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
