import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@babelfish/db';
import type { Redis } from 'ioredis';
import type { Config } from '@babelfish/config';
import { isModelAvailable } from '@babelfish/ml';
import type { Storage } from '@babelfish/storage';

const run = promisify(execFile);

export type CheckResult = { ok: boolean; detail?: string; ms: number };
type Check = () => Promise<string | undefined>;

async function timed(check: Check, timeoutMs: number): Promise<CheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ...(detail ? { detail } : {}), ms: Date.now() - started };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** A check whose answer is reused for `ttlMs` (and shared by callers arriving meanwhile). */
function cached(check: Check, ttlMs: number): Check {
  let last: { at: number; result: Promise<string | undefined> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ttlMs) {
      const result = check();
      last = { at: Date.now(), result };
      // A failure is not kept: the next call checks again.
      result.catch(() => {
        if (last?.result === result) last = undefined;
      });
    }
    return last.result;
  };
}

export type Readiness = { ok: boolean; checks: Record<string, CheckResult> };

/**
 * /health/ready: everything a job needs, checked for real (a query, a PING, a write, the model
 * files, the ffmpeg binaries). Load balancers route only to replicas that pass. The route is
 * unauthenticated, so what costs a process start (ffmpeg -version) or touches the disk is
 * checked at most once per `slowCheckTtlMs`, whatever the request rate.
 */
export function createReadinessCheck(deps: { config: Config; db: Kysely<Database>; redis: Redis; storage: Storage; slowCheckTtlMs?: number }) {
  const ttl = deps.slowCheckTtlMs ?? 30_000;
  const checks: Record<string, Check> = {
    database: async () => {
      await sql`select 1`.execute(deps.db);
      return undefined;
    },
    redis: async () => {
      const reply = await deps.redis.ping();
      if (reply !== 'PONG') throw new Error(`PING answered ${reply}`);
      return undefined;
    },
    storage: cached(async () => {
      if (!(await deps.storage.isWritable())) throw new Error('storage is not writable');
      return undefined;
    }, ttl),
    models: cached(async () => {
      const settings = { modelsDir: deps.config.models.dir, cacheDir: deps.config.models.cacheDir, allowRemote: deps.config.models.allowRemote };
      if (!isModelAvailable(deps.config.models.whisper, settings)) {
        throw new Error(`${deps.config.models.whisper} is not in ${deps.config.models.dir} and remote models are off`);
      }
      return deps.config.models.whisper;
    }, ttl),
    ffmpeg: cached(async () => {
      const [ffmpeg, ffprobe] = await Promise.all([
        run(deps.config.ffmpeg.ffmpegPath, ['-hide_banner', '-version']),
        run(deps.config.ffmpeg.ffprobePath, ['-hide_banner', '-version']),
      ]);
      if (!ffprobe.stdout.startsWith('ffprobe')) throw new Error('ffprobe did not identify itself');
      return ffmpeg.stdout.split('\n')[0];
    }, ttl),
  };

  return async (): Promise<Readiness> => {
    const entries = await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await timed(check, 3000)] as const));
    const results = Object.fromEntries(entries);
    return { ok: entries.every(([, result]) => result.ok), checks: results };
  };
}

/** What an anonymous caller (a load balancer) sees: pass/fail per check, no versions or paths. */
export function publicReadiness(readiness: Readiness): { status: string; checks: Record<string, { ok: boolean }> } {
  return {
    status: readiness.ok ? 'ready' : 'not ready',
    checks: Object.fromEntries(Object.entries(readiness.checks).map(([name, result]) => [name, { ok: result.ok }])),
  };
}
