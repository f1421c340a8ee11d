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

/**
 * /health/ready: everything a job needs, checked for real (a query, a PING, a write, the model
 * files, the ffmpeg binaries). Load balancers route only to replicas that pass.
 */
export function createReadinessCheck(deps: { config: Config; db: Kysely<Database>; redis: Redis; storage: Storage }) {
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
    storage: async () => {
      if (!(await deps.storage.isWritable())) throw new Error('storage is not writable');
      return undefined;
    },
    models: async () => {
      const settings = { modelsDir: deps.config.models.dir, cacheDir: deps.config.models.cacheDir, allowRemote: deps.config.models.allowRemote };
      if (!isModelAvailable(deps.config.models.whisper, settings)) {
        throw new Error(`${deps.config.models.whisper} is not in ${deps.config.models.dir} and remote models are off`);
      }
      return deps.config.models.whisper;
    },
    ffmpeg: async () => {
      const [ffmpeg, ffprobe] = await Promise.all([
        run(deps.config.ffmpeg.ffmpegPath, ['-hide_banner', '-version']),
        run(deps.config.ffmpeg.ffprobePath, ['-hide_banner', '-version']),
      ]);
      if (!ffprobe.stdout.startsWith('ffprobe')) throw new Error('ffprobe did not identify itself');
      return ffmpeg.stdout.split('\n')[0];
    },
  };

  return async (): Promise<{ ok: boolean; checks: Record<string, CheckResult> }> => {
    const entries = await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await timed(check, 3000)] as const));
    const results = Object.fromEntries(entries);
    return { ok: entries.every(([, result]) => result.ok), checks: results };
  };
}
