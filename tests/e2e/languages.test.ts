import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sample } from '../support/paths';
import { downloadTo, startStack, submitAndComplete, type Stack } from '../support/stack';
import { startChatServer, type ChatServerProcess } from '../../packages/ml/src/testing/chat-server-process';

type LanguageView = { code: string; name: string; iso6391?: string; iso6392B: string; iso6392T: string; iso6393: string; script: string; direction: string; transcribe: boolean; nllb?: string };
type EngineView = { name: string; routes: { from: string[]; to: string[] }[] };
type Output = { kind: string; language: string | null; name: string; url: string };

/** Subtitle stream language tags as ffprobe reads them. */
function subtitleTags(file: string): string[] {
  const csv = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 's', '-show_entries', 'stream_tags=language', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return csv.trim().split('\n').filter(Boolean);
}

/**
 * Issue 12 §3 on the real stack (SQLite, worker process, Apertium eng-spa + fr-es, Whisper base;
 * the llm engine on the scripted chat-completions server, answering, so it lists every pair but
 * is never picked over Apertium): the language table and engine coverage over HTTP, codes in any
 * form accepted and stored canonically, and one job whose outputs are named by BCP-47 code and
 * tagged per container (French: `fra` in MP4, `fre` in MKV).
 */
describe('every language, over the API', () => {
  let stack: Stack;
  let chat: ChatServerProcess;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-languages-'));
  const api = () => stack.http();

  beforeAll(async () => {
    chat = await startChatServer({ prefix: '[llm] ' });
    stack = await startStack({ database: 'sqlite', env: { LLM_BASE_URL: chat.baseUrl, LLM_MODEL: 'e2e-model' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await chat?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('lists the whole table with its codes, script, direction and what Whisper transcribes', async () => {
    const response = await api().get('/v1/languages');
    expect(response.status).toBe(200);
    const languages: LanguageView[] = response.body.languages;
    const engines: EngineView[] = response.body.engines;
    console.log(`GET /v1/languages: ${languages.length} languages, ${languages.filter((l) => l.transcribe).length} transcribable, ${languages.filter((l) => l.nllb).length} with NLLB codes, ${response.text.length} bytes`);
    expect(languages).toHaveLength(205);
    const byCode = new Map(languages.map((language) => [language.code, language]));
    expect(byCode.get('de')).toMatchObject({ name: 'German', iso6391: 'de', iso6392B: 'ger', iso6392T: 'deu', iso6393: 'deu', script: 'Latn', direction: 'ltr', transcribe: true, nllb: 'deu_Latn' });
    expect(byCode.get('zh-Hant')).toMatchObject({ iso6392B: 'chi', iso6392T: 'zho', script: 'Hant', transcribe: false, nllb: 'zho_Hant' });
    expect(byCode.get('ckb')).toMatchObject({ name: 'Central Kurdish', direction: 'rtl', transcribe: false });
    expect(byCode.get('haw')).toMatchObject({ name: 'Hawaiian', transcribe: true });
    expect(byCode.get('haw')?.nllb).toBeUndefined();
    expect(byCode.get('yue')?.transcribe).toBe(false); // whisper-base has no Cantonese token (large-v3 has)
    expect(languages.filter((language) => language.transcribe)).toHaveLength(99);

    // Which engines cover which pairs, as routes: Apertium's installed modes, Whisper's 98 → en, llm any pair.
    expect(engines.map((engine) => engine.name)).toEqual(['apertium', 'whisper', 'llm']);
    const apertium = engines[0]!.routes;
    expect(apertium).toEqual(expect.arrayContaining([{ from: ['en'], to: ['es'] }, { from: ['fr'], to: ['es'] }]));
    expect(engines[1]!.routes).toEqual([{ from: expect.arrayContaining(['es', 'ja', 'zh-Hans']), to: ['en'] }]);
    expect(engines[1]!.routes[0]!.from).toHaveLength(98);
    expect(engines[2]!.routes).toEqual([{ from: languages.map((l) => l.code), to: languages.map((l) => l.code) }]);
  });

  it('lists the pairs of one language with the engines for each, in order of preference', async () => {
    const fromEnglish = await api().get('/v1/languages/pairs').query({ from: 'eng' });
    expect(fromEnglish.status).toBe(200);
    expect(fromEnglish.body.from).toBe('en');
    expect(fromEnglish.body.pairs).toHaveLength(204);
    expect(fromEnglish.body.pairs).toContainEqual({ from: 'en', to: 'es', engines: ['apertium', 'llm'] });
    expect(fromEnglish.body.pairs).toContainEqual({ from: 'en', to: 'zh-Hant', engines: ['llm'] });

    const intoEnglish = await api().get('/v1/languages/pairs').query({ to: 'en', engine: 'whisper' });
    expect(intoEnglish.body.pairs).toHaveLength(98);
    expect(intoEnglish.body.pairs).toContainEqual({ from: 'ja', to: 'en', engines: ['whisper'] });

    const one = await api().get('/v1/languages/pairs').query({ from: 'spa', to: 'fre' });
    expect(one.body).toEqual({ from: 'es', to: 'fr', pairs: [{ from: 'es', to: 'fr', engines: ['apertium', 'llm'] }] });

    expect((await api().get('/v1/languages/pairs')).status).toBe(400);
    const unknown = await api().get('/v1/languages/pairs').query({ from: 'xx' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('UNKNOWN_LANGUAGE');
    expect((await api().get('/v1/languages/pairs').query({ from: 'en', engine: 'babel' })).status).toBe(400);
  });

  it('refuses a spoken language Whisper cannot transcribe, before anything is uploaded to the queue', async () => {
    const refused = await api().post('/v1/jobs').field('to', 'en').field('from', 'zu').attach('file', sample('jfk.mp4'));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'UNKNOWN_LANGUAGE', message: expect.stringContaining('Whisper cannot transcribe Zulu') });
  });

  it('takes codes in any form, stores the table\'s, names files by it and tags each container its way', async () => {
    // Spanish speech into French by ISO 639-2/B codes; Apertium's fr-es package translates.
    const jobId = await submitAndComplete(stack, stack.apiKey, sample('es_everest.mp4'), { from: 'spa', to: 'fre' });
    const job = (await api().get(`/v1/jobs/${jobId}`)).body.job;
    expect(job).toMatchObject({ sourceLanguage: 'es', targetLanguages: ['fr'] });
    const outputs: Output[] = (await api().get(`/v1/jobs/${jobId}/outputs`)).body.outputs;
    const names = outputs.map((output) => output.name).sort();
    console.log(`outputs: ${names.join(', ')}`);
    expect(names).toEqual(expect.arrayContaining(['es_everest.fr.srt', 'es_everest.fr.vtt', 'es_everest.fr.ass', 'es_everest.es.srt']));

    const file = async (kind: string, language: string | null) => {
      const output = outputs.find((candidate) => candidate.kind === kind && candidate.language === language)!;
      return downloadTo(stack, output.url, scratch, output.name);
    };
    const mp4 = subtitleTags(await file('mp4', null));
    const mkv = subtitleTags(await file('mkv', null));
    console.log(`French track tags: mp4 ${mp4.join(' ')}, mkv ${mkv.join(' ')}`);
    // The French track, then the spoken language's own ("Spanish (original)"): spa in both forms.
    expect(mp4).toEqual(['fra', 'spa']);
    expect(mkv).toEqual(['fre', 'spa']);
    expect(fs.readFileSync(await file('vtt', 'fr'), 'utf8')).toMatch(/^WEBVTT\nLanguage: fr\n\n/);
    expect(fs.readFileSync(await file('ass', 'fr'), 'utf8')).toContain('\nLanguage: fr\n');
    // The preview the dashboard plays is the same WebVTT, found by the code in any case.
    const preview = await api().get(`/v1/jobs/${jobId}/subtitles/FR.vtt`);
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(/^WEBVTT\nLanguage: fr\n/);
  });
});
