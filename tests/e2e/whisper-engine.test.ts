import { parseWebVtt } from '@babelfish/media';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

describe('speech → English with the whisper engine, on PostgreSQL (es_everest.mp4, source detected)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ database: 'postgres' });
    expect(stack.config.databaseUrl).toMatch(/^postgres:/);
  });
  afterAll(() => stack?.stop());

  it('detects Spanish and writes English subtitles about Everest and oxygen', async () => {
    const submitted = await stack.http().post('/v1/jobs').field('to', 'en').field('engine', 'whisper').attach('file', sample('es_everest.mp4'));
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.job.id;
    expect(submitted.body.job.sourceLanguage).toBeNull();

    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const last = await watch.finished;
    watch.close();
    expect(last).toMatchObject({ status: 'completed', percent: 100 });

    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect(job).toMatchObject({ status: 'completed', sourceLanguage: 'es', detectedLanguage: 'es', engine: 'whisper' });

    const outputs = (await stack.http().get(`/v1/jobs/${jobId}/outputs`)).body.outputs as { kind: string; language: string; url: string }[];
    const englishVtt = outputs.find((output) => output.kind === 'vtt' && output.language === 'en')!;
    const text = (await stack.http().get(englishVtt.url)).text;
    const cues = parseWebVtt(text);
    expect(cues.length).toBeGreaterThan(2);
    const english = cues.map((cue) => cue.text).join(' ').toLowerCase();
    expect(english).toContain('everest');
    expect(english).toContain('oxygen');
    // The Spanish transcript is there too, for review.
    expect(outputs.some((output) => output.kind === 'srt' && output.language === 'es')).toBe(true);
  });
});
