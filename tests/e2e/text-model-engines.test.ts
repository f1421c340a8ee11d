import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configureModels, disposeTextModels, modelFiles, NllbEngine } from '@babelfish/ml';
import { glossTranslation, TINY_NLLB_MODEL_ID, writeTinyMarian, writeTinyNllb, type GlossLanguage } from '../../packages/ml/src/testing/tiny-text-models';
import { startModelHub, type ModelHub } from '../support/model-hub';
import { modelsDir as sharedModelsDir, sample } from '../support/paths';
import { watchJob } from '../support/socket';
import { startStack, type Stack } from '../support/stack';

/**
 * NLLB and Marian through the real stack, on the tiny generated models (tiny-text-models.ts,
 * laid out like the hub conversions) beside the real Whisper: jfk.mp4 is transcribed, then
 * translated by the worker's text-model thread, and the subtitles must be exactly the tiny
 * models' known word-by-word output of the transcript, glossary term included. Then the path
 * of a fresh install: the tiny NLLB downloaded from a hub-shaped server into the cache by
 * transformers.js itself, then used from the cache with the hub gone.
 */

type Track = { language: string; segments: { start: number; end: number; text: string }[] };

/** A models folder with the shared Whisper and VAD models (linked) and the tiny text models. */
function modelsWithTinyTextModels(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-text-models-'));
  for (const org of fs.readdirSync(sharedModelsDir)) {
    const source = path.join(sharedModelsDir, org);
    if (!fs.statSync(source).isDirectory()) continue;
    fs.mkdirSync(path.join(dir, org));
    for (const model of fs.readdirSync(source)) fs.symlinkSync(path.join(source, model), path.join(dir, org, model));
  }
  writeTinyNllb(dir);
  writeTinyMarian(dir, { from: 'en', to: 'de' });
  return dir;
}

const joined = (track: Track | undefined) => (track?.segments ?? []).map((cue) => cue.text).join(' ').replace(/\s+/g, ' ').trim();

describe('NLLB and Marian on the real stack (jfk.mp4, tiny generated models, text-model thread)', () => {
  const models = modelsWithTinyTextModels();
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', env: { MODELS_DIR: models } });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(models, { recursive: true, force: true });
  });

  const translate = async (engine: 'nllb' | 'marian', to: string, glossary?: object): Promise<Track[]> => {
    let submission = stack.http().post('/v1/jobs').field('from', 'en').field('to', to).field('engine', engine);
    if (glossary) submission = submission.field('glossary', JSON.stringify(glossary));
    const submitted = await submission.attach('file', sample('jfk.mp4'));
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.job.id;
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const last = await watch.finished;
    watch.close();
    expect(last).toMatchObject({ status: 'completed' });
    expect((await stack.http().get(`/v1/jobs/${jobId}`)).body.job).toMatchObject({ engine, status: 'completed' });
    return (await stack.http().get(`/v1/jobs/${jobId}/subtitles`)).body.tracks as Track[];
  };

  it('engine=nllb writes each target in the language forced by its token, with the glossary term, from one model', async () => {
    const tracks = await translate('nllb', 'es,fr', { terms: { country: 'patria' } });
    const english = joined(tracks.find((track) => track.language === 'en'));
    expect(english.toLowerCase()).toContain('ask not what your country can do for you');
    // What the tiny model makes of the transcript, with each "country" protected as a placeholder.
    const expected = (language: GlossLanguage) => glossTranslation(english.replace(/\bcountry\b/gi, 'ZXQ0'), language).replace(/ZXQ0/g, 'patria');
    const spanish = joined(tracks.find((track) => track.language === 'es'));
    const french = joined(tracks.find((track) => track.language === 'fr'));
    expect(spanish).toBe(expected('es'));
    expect(french).toBe(expected('fr'));
    expect(spanish).toContain('pregunta no qué tu patria puede hacer por ti');
    console.log(`nllb on the stack: "${english}" → es "${spanish}" / fr "${french}"`);
  });

  it('engine=marian uses the installed direction, in the same text-model thread', async () => {
    const tracks = await translate('marian', 'de');
    const english = joined(tracks.find((track) => track.language === 'en'));
    expect(joined(tracks.find((track) => track.language === 'de'))).toBe(glossTranslation(english, 'de'));

    const log = stack.worker!.output().split('\n');
    // One thread for the process, reused for all three translations; the main loop never blocked.
    expect(log.filter((line) => line.includes('"message":"text model thread started"'))).toHaveLength(1);
    expect(log.filter((line) => line.includes('text model thread exited'))).toEqual([]);
    expect(log.filter((line) => line.includes('event loop blocked'))).toEqual([]);
  });
});

describe('the tiny NLLB from a hub-shaped server into the model cache', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-text-hub-'));
  const hubRoot = path.join(scratch, 'hub');
  const emptyModels = path.join(scratch, 'models');
  const cacheDir = path.join(scratch, 'cache');
  let hub: ModelHub;
  fs.mkdirSync(emptyModels);
  writeTinyNllb(hubRoot);

  beforeAll(async () => {
    hub = await startModelHub(hubRoot);
  });
  afterAll(async () => {
    await hub?.close();
    await disposeTextModels();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const hello = { segments: [{ start: 0, end: 1, text: 'Good morning, my friend.' }], from: 'en', to: 'es' };

  it('downloads exactly the files model-files.ts lists, translates, then works from the cache offline', async () => {
    configureModels({ modelsDir: emptyModels, cacheDir, allowRemote: true, hubUrl: hub.url });
    const downloaded = await new NllbEngine({ modelId: TINY_NLLB_MODEL_ID }).translate(hello);
    expect(downloaded[0]!.text).toBe('Buenos días, mis amigo.');

    const fetched = hub.requests.filter((url) => url.includes('/resolve/')).map((url) => url.replace(`/${TINY_NLLB_MODEL_ID}/resolve/main/`, ''));
    const listed = modelFiles(TINY_NLLB_MODEL_ID, 'q8').map((file) => file.path);
    expect([...new Set(fetched)].sort()).toEqual([...listed].sort());
    for (const file of listed) expect(fs.existsSync(path.join(cacheDir, TINY_NLLB_MODEL_ID, file))).toBe(true);

    // The hub is gone and downloads are off: the cache alone serves a fresh load.
    await hub.close();
    await disposeTextModels();
    configureModels({ modelsDir: emptyModels, cacheDir, allowRemote: false, hubUrl: 'http://127.0.0.1:1' });
    const nllb = new NllbEngine();
    expect(await nllb.supports({ from: 'en', to: 'es' })).toBe(true);
    expect((await nllb.translate({ ...hello, to: 'fr' }))[0]!.text).toBe('Bon matin, mes ami.');
    console.log(`tiny NLLB from the hub: ${[...new Set(fetched)].length} files into ${cacheDir}`);
  });
});
