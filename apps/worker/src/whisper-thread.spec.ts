import path from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { loadConfig } from '@babelfish/config';
import { createThreadedWhisper } from './whisper-thread';

/**
 * The worker's Whisper threads with WHISPER_MAX_LOADED_MODELS=1 (real whisper-tiny and
 * whisper-base q8 threads): another model a job names is loaded for it and unloaded once idle,
 * loaded again when asked again, never unloaded while a call holds it, and WHISPER_MODEL stays.
 */
const shared = path.resolve(__dirname, '../../../../shared');
const jfk = { wavPath: path.join(shared, 'samples/jfk.wav') };

describe('Whisper threads kept within WHISPER_MAX_LOADED_MODELS', () => {
  const lines: { message: string; modelId?: string }[] = [];
  const logger = winston.createLogger({
    format: winston.format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk: Buffer, _encoding, done) {
            for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { message: string; modelId?: string });
            done();
          },
        }),
      }),
    ],
  });
  const config = loadConfig({ MODELS_DIR: path.join(shared, 'models'), ALLOW_REMOTE_MODELS: 'false', WHISPER_MODEL: 'Xenova/whisper-tiny', WHISPER_THREADS: '1' });
  const whisper = createThreadedWhisper(
    {
      modelId: config.models.whisper,
      dtype: config.models.whisperDtype,
      models: { modelsDir: config.models.dir, cacheDir: config.models.cacheDir, allowRemote: false, hubUrl: config.models.hubUrl },
      options: { threads: 1, batchSize: config.models.whisperBatch, safeguards: config.models.whisperSafeguards, levers: config.models.whisperRuntime },
      maxLoaded: 1,
    },
    logger,
  );
  afterAll(() => whisper.close());

  const events = () => lines.filter((line) => /whisper model/.test(line.message)).map((line) => `${line.message}: ${line.modelId}`);
  const text = (segments: { text: string }[]) => segments.map((segment) => segment.text).join(' ').toLowerCase();

  it('loads a named model beside WHISPER_MODEL, unloads it when idle, loads it again on the next call, and never under a call', async () => {
    const base = await whisper.model(undefined, 'Xenova/whisper-base');
    expect(events()).toEqual(['loading another whisper model: Xenova/whisper-base']);
    // WHISPER_MODEL is loaded now: one model is the limit, so the idle base goes.
    const tiny = await whisper.model();
    expect(events()).toEqual(['loading another whisper model: Xenova/whisper-base', 'unloading an idle whisper model: Xenova/whisper-base']);

    // Both at once: base is loaded again and held by its call (not unloaded while tiny's call ends).
    const [fromBase, fromTiny] = await Promise.all([base.transcribe(jfk, { language: 'en' }), tiny.transcribe(jfk, { language: 'en' })]);
    expect(text(fromBase)).toContain('ask not what your country can do for you');
    expect(text(fromTiny)).toContain('your country');
    expect(events()).toEqual([
      'loading another whisper model: Xenova/whisper-base',
      'unloading an idle whisper model: Xenova/whisper-base',
      'loading another whisper model: Xenova/whisper-base',
      'unloading an idle whisper model: Xenova/whisper-base',
    ]);
    // WHISPER_MODEL itself is never unloaded, however idle.
    expect(lines.some((line) => line.message === 'unloading an idle whisper model' && line.modelId === 'Xenova/whisper-tiny')).toBe(false);
    expect(lines.filter((line) => line.message === 'whisper thread exited')).toEqual([]);
  }, 240_000);
});
