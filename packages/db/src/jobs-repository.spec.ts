import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createApiKeyRepository, createWebhookRepository, createJobRepository, createSubtitleRepository, createTranslationCacheRepository, migrateToLatest, openDatabase, type DatabaseHandle } from './index';

const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Each run gets its own database so parallel or repeated runs never see each other's rows. */
async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `babelfish_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = postgresAdminUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const client = new Client({ connectionString: postgresAdminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

const backends: [string, () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-db-'));
      const handle = openDatabase(`file:${path.join(dir, 'test.db')}`);
      return { handle, cleanup: async () => { await handle.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
    },
  ],
  [
    'postgres',
    async () => {
      const database = await createPostgresDatabase();
      const handle = openDatabase(database.url);
      return { handle, cleanup: async () => { await handle.close(); await database.drop(); } };
    },
  ],
];

describe.each(backends)('job repository on %s', (kind, open) => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    expect(handle.kind).toBe(kind);
    expect(await migrateToLatest(handle.db)).toEqual(['0001_jobs_and_outputs', '0002_subtitle_versions_runs_thumbnails', '0003_api_keys', '0004_content_hash', '0005_job_options_quality', '0006_media_summary', '0007_translation_cache', '0008_job_usage', '0010_compat_jobs', '0011_webhooks', '0012_job_error_code']);
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });
  afterAll(() => cleanup());

  it('caches line translations by key; the first answer for a key stands', async () => {
    const cache = createTranslationCacheRepository(handle.db);
    const keys = Array.from({ length: 450 }, (_, i) => `${kind}-${i}`.padEnd(64, 'k'));
    await cache.set(keys.map((key, i) => ({ key, text: `línea ${i}` })));
    await cache.set([{ key: keys[0]!, text: 'otra' }]);
    const found = await cache.get([...keys, 'absent'.padEnd(64, 'x')]);
    expect(found.size).toBe(450);
    expect(found.get(keys[0]!)).toBe('línea 0');
    expect(found.get(keys[449]!)).toBe('línea 449');
  });

  it('stores a job, its progress, outputs and terminal state', async () => {
    const jobs = createJobRepository(handle.db);
    const options = { burnIn: true, glossary: { terms: { country: 'nación' }, byLanguage: {}, doNotTranslate: ['Babelfish'] } };
    const media = { video: { codec: 'h264', width: 1280, height: 720 }, audio: { codec: 'aac' } };
    const job = await jobs.create({ targetLanguages: ['es', 'fr'], originalName: 'talk.mp4', inputKey: 'jobs/x/input', options, media });
    expect(await jobs.get(job.id)).toMatchObject({ targetLanguages: ['es', 'fr'], options, quality: null, media });
    const quality = { rules: { maxCharsPerLine: 42, maxLines: 2, maxCharsPerSecond: 17, minDurationSeconds: 1, maxDurationSeconds: 7, minGapSeconds: 0.083 }, tracks: [], warnings: [], checkedAt: 'now' };
    await jobs.setQuality(job.id, quality);
    expect((await jobs.get(job.id))?.quality).toEqual(quality);

    await jobs.updateProgress(job.id, { stage: 'transcribe', percent: 20, stageProgress: { transcribe: 40 } });
    const running = await jobs.get(job.id);
    expect(running).toMatchObject({ status: 'processing', stage: 'transcribe', percent: 20, stageProgress: { transcribe: 40 } });

    const outputs = await jobs.replaceOutputs(job.id, [
      { kind: 'srt', language: 'es', name: 'talk.es.srt', storageKey: 'jobs/x/outputs/talk.es.srt', bytes: 10 },
      { kind: 'mp4', language: null, name: 'talk.mp4', storageKey: 'jobs/x/outputs/talk.mp4', bytes: 1000 },
    ]);
    expect(await jobs.listOutputs(job.id)).toHaveLength(2);
    expect(await jobs.getOutput(job.id, outputs[0]!.id)).toMatchObject({ kind: 'srt', language: 'es' });
    await jobs.replaceOutputs(job.id, [{ kind: 'srt', language: 'es', name: 'talk.es.srt', storageKey: 'k', bytes: 11 }]);
    expect(await jobs.listOutputs(job.id)).toHaveLength(1);

    await jobs.markFailed(job.id, 'The video has no audio track', 'NO_AUDIO_TRACK');
    await jobs.updateProgress(job.id, { stage: 'mux', percent: 90, stageProgress: {} });
    expect(await jobs.get(job.id)).toMatchObject({ status: 'failed', error: 'The video has no audio track', errorCode: 'NO_AUDIO_TRACK', percent: 20 });
    expect((await jobs.list({ status: 'failed' })).map((j) => j.id)).toContain(job.id);

    await jobs.delete(job.id);
    expect(await jobs.get(job.id)).toBeUndefined();
  });

  it('records the engine used per language and adds up the tokens, languages finishing at once included', async () => {
    const jobs = createJobRepository(handle.db);
    const job = await jobs.create({ targetLanguages: ['es', 'fr', 'de'], originalName: 'usage.mp4', inputKey: 'inputs/usage', engine: 'llm' });
    expect(job).toMatchObject({ translations: {}, usage: { promptTokens: 0, completionTokens: 0 } });
    const llm = (promptTokens: number, completionTokens: number) => ({ engine: 'llm', model: 'm', fallbackLines: 0, promptTokens, completionTokens });
    // Three languages at once, as three translate workers would: no entry may be lost.
    await Promise.all([
      jobs.recordTranslation(job.id, 'es', llm(300, 60)),
      jobs.recordTranslation(job.id, 'fr', llm(200, 40)),
      jobs.recordTranslation(job.id, 'de', { engine: 'apertium', fallbackLines: 0, promptTokens: 0, completionTokens: 0 }),
    ]);
    // A second run of Spanish (a retry) spends more; its engine is the one shown.
    await jobs.recordTranslation(job.id, 'es', { ...llm(100, 20), fallbackEngine: 'apertium', fallbackLines: 1 });
    const stored = (await jobs.get(job.id))!;
    expect(stored.translations).toEqual({
      es: { engine: 'llm', model: 'm', fallbackEngine: 'apertium', fallbackLines: 1, promptTokens: 400, completionTokens: 80 },
      fr: llm(200, 40),
      de: { engine: 'apertium', fallbackLines: 0, promptTokens: 0, completionTokens: 0 },
    });
    expect(stored.usage).toEqual({ promptTokens: 600, completionTokens: 120 });
    await jobs.delete(job.id);
  });

  it('keeps a transcription-only request on its job; a canceled job stays canceled and is never completed or failed', async () => {
    const jobs = createJobRepository(handle.db);
    const transcription = { api: 'openai', format: 'verbose_json', task: 'transcribe', words: true, model: 'whisper-1', temperature: 0.2 } as const;
    const job = await jobs.create({ targetLanguages: [], originalName: 'jfk.wav', inputKey: 'jobs/t/input', transcription });
    expect((await jobs.get(job.id))?.transcription).toEqual(transcription);
    const video = await jobs.create({ targetLanguages: ['es'], originalName: 'a.mp4', inputKey: 'jobs/v/input' });
    expect((await jobs.get(video.id))?.transcription).toBeNull();

    expect(await jobs.cancelIfRunning(job.id, 'Canceled: the client disconnected')).toBe(true);
    expect(await jobs.completeIfRunning(job.id)).toBe(false);
    expect(await jobs.cancelIfRunning(job.id, 'again')).toBe(false);
    // A stage still running when it was canceled cannot overwrite that.
    await jobs.markFailed(job.id, 'a late failure');
    await jobs.markCompleted(job.id);
    expect(await jobs.get(job.id)).toMatchObject({ status: 'canceled', error: 'Canceled: the client disconnected' });
    expect(await jobs.completeIfRunning(video.id)).toBe(true);
    expect(await jobs.cancelIfRunning(video.id, 'late')).toBe(false);
    expect((await jobs.get(video.id))?.status).toBe('completed');
    await jobs.delete(job.id);
    await jobs.delete(video.id);
  });

  it('keeps every version of a subtitle track and refuses stale edits', async () => {
    const jobs = createJobRepository(handle.db);
    const subtitles = createSubtitleRepository(handle.db);
    const job = await jobs.create({ targetLanguages: ['es'], originalName: 'a.mp4', inputKey: 'jobs/a/input' });
    await subtitles.save({ jobId: job.id, language: 'en', kind: 'source', origin: 'engine', segments: [{ start: 0, end: 1, text: 'Hello' }] });
    const first = await subtitles.save({ jobId: job.id, language: 'es', kind: 'translation', origin: 'engine', segments: [{ start: 0, end: 1, text: 'Hola' }] });
    expect(first.version).toBe(1);
    const edited = await subtitles.save({ jobId: job.id, language: 'es', kind: 'translation', origin: 'edit', segments: [{ start: 0, end: 1.2, text: 'Hola a todos' }], baseVersion: 1 });
    expect(edited).toMatchObject({ version: 2, origin: 'edit' });
    await expect(
      subtitles.save({ jobId: job.id, language: 'es', kind: 'translation', origin: 'edit', segments: [], baseVersion: 1 }),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { latestVersion: 2 } });
    expect((await subtitles.history(job.id, 'es')).map((track) => track.segments[0]?.text)).toEqual(['Hola', 'Hola a todos']);
    expect((await subtitles.latest(job.id, 'es'))?.version).toBe(2);
    expect((await subtitles.listLatest(job.id)).map((track) => [track.language, track.kind, track.version])).toEqual([
      ['en', 'source', 1],
      ['es', 'translation', 2],
    ]);

    await jobs.markFailed(job.id, 'ffmpeg could not encode', 'MEDIA_PROCESSING_FAILED');
    const restarted = await jobs.restart(job.id, { stage: 'mux', percent: 85, stageProgress: { mux: 0 } });
    expect(restarted).toMatchObject({ runs: 2, status: 'queued', stage: 'mux', percent: 85, error: null, errorCode: null });
    await jobs.delete(job.id);
    expect(await subtitles.latest(job.id, 'es')).toBeUndefined();
  });

  it('keeps the original and the newest versions of a track, pruning older edits on save', async () => {
    const jobs = createJobRepository(handle.db);
    const subtitles = createSubtitleRepository(handle.db, { maxVersions: 4 });
    const job = await jobs.create({ targetLanguages: ['es'], originalName: 'a.mp4', inputKey: 'jobs/a/input' });
    const other = await jobs.create({ targetLanguages: ['es'], originalName: 'b.mp4', inputKey: 'jobs/b/input' });
    const save = (jobId: string, language: string, text: string, origin: 'engine' | 'edit' = 'edit') =>
      subtitles.save({ jobId, language, kind: 'translation', origin, segments: [{ start: 0, end: 1, text }] });
    await save(job.id, 'es', 'v1', 'engine');
    await save(job.id, 'fr', 'fr1', 'engine');
    await save(other.id, 'es', 'other1', 'engine');
    for (let version = 2; version <= 9; version++) {
      const saved = await save(job.id, 'es', `v${version}`);
      expect(saved.version).toBe(version);
      const kept = await subtitles.history(job.id, 'es');
      expect(kept.length).toBe(Math.min(version, 4));
      expect(kept[0]).toMatchObject({ version: 1, origin: 'engine' });
    }
    const history = await subtitles.history(job.id, 'es');
    expect(history.map((track) => [track.version, track.segments[0]?.text])).toEqual([
      [1, 'v1'],
      [7, 'v7'],
      [8, 'v8'],
      [9, 'v9'],
    ]);
    // Numbers go on from the latest (never reused), stale edits are still refused.
    expect(await subtitles.latestVersion(job.id, 'es')).toBe(9);
    await expect(subtitles.save({ jobId: job.id, language: 'es', kind: 'translation', origin: 'edit', segments: [], baseVersion: 8 })).rejects.toMatchObject({ code: 'CONFLICT' });
    // Other tracks and other jobs are untouched.
    expect((await subtitles.history(job.id, 'fr')).map((track) => track.version)).toEqual([1]);
    expect((await subtitles.history(other.id, 'es')).map((track) => track.version)).toEqual([1]);
    await jobs.delete(job.id);
    await jobs.delete(other.id);
  });

  it('stores only a hash of each API key, verifies it, and stops it when revoked', async () => {
    const keys = createApiKeyRepository(handle.db);
    const { key, info } = await keys.create({ ownerId: 'alice', name: 'laptop' });
    expect(key).toMatch(/^bf_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
    const stored = await handle.db.selectFrom('api_keys').selectAll().where('id', '=', info.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(key.split('.')[1]);
    expect(await keys.verify(key)).toEqual({ ownerId: 'alice', keyId: info.id });
    expect(await keys.verify(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await keys.verify('not-a-key')).toBeUndefined();
    expect(await keys.revoke(info.id)).toBe(true);
    expect(await keys.verify(key)).toBeUndefined();
    expect((await keys.list('alice'))[0]?.revokedAt).not.toBeNull();
    await expect(keys.create({ ownerId: '../x y', name: 'bad' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
  it('makes a key its webhook secret once, keeps its default URL and logs each delivery attempt', async () => {
    const keys = createApiKeyRepository(handle.db);
    const webhooks = createWebhookRepository(handle.db);
    const { info } = await keys.create({ ownerId: 'carol', name: 'hooks' });
    let made = 0;
    const make = () => `whsec_secret${++made}`;
    const [first, second] = await Promise.all([webhooks.settingsFor(info.id, make), webhooks.settingsFor(info.id, make)]);
    expect(first?.secret).toBe(second?.secret);
    expect((await webhooks.settingsFor(info.id, make))?.secret).toBe(first?.secret);
    expect(await webhooks.settingsFor('000000000000', make)).toBeUndefined();
    await webhooks.setDefaultUrl(info.id, 'https://hooks.example.com/in');
    expect((await webhooks.settingsFor(info.id, make))?.url).toBe('https://hooks.example.com/in');
    await webhooks.rotateSecret(info.id, 'whsec_rotated');
    expect((await webhooks.settingsFor(info.id, make))?.secret).toBe('whsec_rotated');

    const jobId = '11111111-2222-3333-4444-555555555555';
    const base = { jobId, messageId: 'msg_1', event: 'job.completed', url: 'https://hooks.example.com/in' };
    await webhooks.recordAttempt({ ...base, attempt: 1, statusCode: 500, error: 'the receiver answered 500', durationMs: 12.4 });
    await webhooks.recordAttempt({ ...base, attempt: 2, statusCode: 204, error: null, durationMs: 8 });
    const log = await webhooks.listForJob(jobId);
    expect(log.map((entry) => [entry.attempt, entry.statusCode, entry.error])).toEqual([[1, 500, 'the receiver answered 500'], [2, 204, null]]);
    await webhooks.deleteForJob(jobId);
    expect(await webhooks.listForJob(jobId)).toEqual([]);
  });
});
