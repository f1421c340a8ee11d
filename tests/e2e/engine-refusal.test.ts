import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@babelfish/config';
import { createJobRepository, migrateToLatest, openDatabase } from '@babelfish/db';
import { closedPort } from '../../packages/ml/src/testing/closed-port';
import { modelsDir, repoRoot, sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';

/**
 * "Fail before wasting work": a job that names an engine which cannot run here (no model and
 * remote loading off, no Marian model for the pair, the LLM server down or not configured) is
 * refused at submission with a 422 naming the engine and why, and no job is made; the CLI stops
 * before transcribing. Without a named engine the best available still takes the pair. The
 * API runs without a worker: nothing here may get as far as the queue's consumers.
 */
describe('a named engine that cannot run is refused at submission (SQLite, API only)', () => {
  let stack: Stack;
  let downUrl = '';
  beforeAll(async () => {
    downUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    stack = await startStack({ database: 'sqlite', worker: false, env: { LLM_BASE_URL: downUrl, LLM_MODEL: 'some-model' } });
  });
  afterAll(() => stack?.stop());

  const submit = (fields: Record<string, string>) => {
    let request = stack.http().post('/v1/jobs');
    for (const [name, value] of Object.entries(fields)) request = request.field(name, value);
    return request.attach('file', sample('jfk.mp4'));
  };
  const notInstalled = 'is not installed (MODELS_DIR or MODEL_CACHE_DIR) and remote model loading is off (ALLOW_REMOTE_MODELS=false)';

  it.each([
    ['nllb, remote loading off and no model', { engine: 'nllb', from: 'en', to: 'es' }, `The nllb engine cannot translate en → es here: its model Xenova/nllb-200-distilled-600M ${notInstalled}`],
    ['marian, no model for the pair', { engine: 'marian', from: 'en', to: 'es' }, `The marian engine cannot translate en → es here: no Marian model for en → es: its model Xenova/opus-mt-en-es ${notInstalled}`],
    ['llm, its server not answering', { engine: 'llm', from: 'en', to: 'es' }, 'The llm engine cannot translate en → es here: the LLM server (LLM_BASE_URL) does not answer (ECONNREFUSED)'],
    ['nllb, the source language to be detected', { engine: 'nllb', to: 'es' }, `The nllb engine cannot run here: its model Xenova/nllb-200-distilled-600M ${notInstalled}`],
    ['apertium into a language none of its pairs reaches, source to be detected', { engine: 'apertium', to: 'ja' }, 'The apertium engine cannot be used here: it translates into none of ja from any language'],
  ])('%s: 422 ENGINE_UNAVAILABLE with the reason, and no job', async (_name, fields, message) => {
    const response = await submit(fields);
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'ENGINE_UNAVAILABLE', message, details: expect.objectContaining({ engine: fields.engine }) });
    expect((await stack.http().get('/v1/jobs')).body.jobs).toEqual([]);
    // The reason names settings, never the server's (possibly internal) address.
    expect(response.text).not.toContain(downUrl);
  });

  it('with no engine named, the best available that can run takes the pair (apertium for en → es, not the unreachable llm)', async () => {
    const response = await submit({ from: 'en', to: 'es' });
    expect(response.status).toBe(202);
    expect(response.body.job).toMatchObject({ engine: null, translations: [], usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } });
    // Into Japanese only the llm engine could go, and its server is down: refused as unsupported.
    const japanese = await submit({ from: 'en', to: 'ja' });
    expect(japanese.status).toBe(400);
    expect(japanese.body.error.code).toBe('UNSUPPORTED_LANGUAGE_PAIR');
  });
});

describe('the CLI stops before transcribing when the named engine cannot run', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-refusal-cli-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const runCli = (engine: string) =>
    spawnSync(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      ['--conditions=development', 'apps/cli/src/main.ts', 'translate', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--engine', engine, '--out', path.join(dataDir, 'out')],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        // No LLM_BASE_URL: the llm engine is not configured.
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, MODELS_DIR: modelsDir, ALLOW_REMOTE_MODELS: 'false', LOG_LEVEL: 'warn' },
      },
    );

  it.each([
    ['nllb', `The nllb engine cannot translate en → es here: its model Xenova/nllb-200-distilled-600M is not installed`],
    ['llm', 'The llm engine cannot translate en → es here: it is not configured (set LLM_BASE_URL and LLM_MODEL)'],
  ])('--engine %s exits 1 with the reason, and no job was recorded, transcribed or written', async (engine, reason) => {
    const result = runCli(engine);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`babelfish: ENGINE_UNAVAILABLE: ${reason}`);
    expect(result.stdout).not.toContain('Outputs:');
    expect(result.stderr).not.toMatch(/Transcrib/);
    expect(fs.existsSync(path.join(dataDir, 'out'))).toBe(false);
    const database = openDatabase(loadConfig({ DATA_DIR: dataDir }).databaseUrl);
    try {
      await migrateToLatest(database.db);
      expect(await createJobRepository(database.db).list()).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
