import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnApi, type ApiProcess } from '../support/api-process';
import { modelsDir } from '../support/paths';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/**
 * Processes that run no model load no model code: the API (which lists models, languages and
 * engine pairs, and checks model files for readiness) and a worker without the transcribe and
 * translate roles. onnxruntime-node and transformers.js cost 150–200 MB each time they are
 * loaded through tsx, so this is memory, not tidiness. Real processes, each with a recorder
 * preloaded (tests/support/module-recorder.cjs) that writes down every module it loads, CommonJS
 * and ES; and the process's memory map, where onnxruntime's native library would show.
 */

const modelCode = /onnxruntime|@huggingface[/+]transformers/;
const recorder = path.join(__dirname, '../support/module-recorder.cjs');

function recorded(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const mapped = (pid: number) => fs.readFileSync(`/proc/${pid}/maps`, 'utf8');

describe('no model code where no model runs', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-no-model-code-'));
  const env = (record: string): Record<string, string> => ({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-no-model-${randomUUID()}`,
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    AUTH_MODE: 'none',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${recorder}`.trim(),
    MODULE_RECORD: record,
  });
  let api: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the API serves model listings, languages, engine pairs and readiness without loading onnxruntime or transformers.js', async () => {
    const record = path.join(dataDir, 'api-modules.txt');
    // ENGINE_CATALOGUE=local: the API builds its own engine registry (NLLB, Marian, Whisper, Apertium).
    api = await spawnApi({ ...env(record), ENGINE_CATALOGUE: 'local' });
    for (const route of ['/health', '/health/ready', '/v1/languages', '/v1/languages/pairs', '/v1/models']) {
      const response = await fetch(`${api.url}${route}`);
      expect(response.status).toBeLessThan(500);
    }
    const modules = recorded(record);
    // The recorder works: the API's own code and @babelfish/ml (for its model listing) are there.
    expect(modules.some((entry) => entry.includes('apps/api/src/server.ts'))).toBe(true);
    expect(modules.some((entry) => entry.includes('packages/ml/src/index.ts'))).toBe(true);
    expect(modules.filter((entry) => modelCode.test(entry))).toEqual([]);
    expect(mapped(api.child.pid!)).not.toMatch(/libonnxruntime/);
  });

  it('a mux-only worker loads no model code either', async () => {
    const record = path.join(dataDir, 'worker-modules.txt');
    worker = await spawnWorker({ ...env(record), WORKER_ROLES: 'mux' }, 60_000, { direct: true });
    const modules = recorded(record);
    expect(modules.some((entry) => entry.includes('apps/worker/src/start-workers.ts'))).toBe(true);
    expect(modules.filter((entry) => modelCode.test(entry))).toEqual([]);
    expect(mapped(worker.child.pid!)).not.toMatch(/libonnxruntime/);
  });
});
