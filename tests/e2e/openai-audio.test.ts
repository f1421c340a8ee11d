import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import OpenAI, { APIError, toFile } from 'openai';
import { parseSrt, parseWebVtt } from '@babelfish/media';
import { JobPriority } from '@babelfish/queue';
import { startLimitedApi, waitingPriority } from '../support/compat';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';

/**
 * The OpenAI-compatible audio API, driven by the official `openai` SDK against the real stack
 * (API, Redis queue, worker with Whisper base, Apertium). Each call is a transcription-only job
 * that the request waits for.
 */
describe('OpenAI-compatible audio API (official openai SDK)', () => {
  let stack: Stack;
  let client: OpenAI;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-openai-'));
  const jfk = () => fs.createReadStream(sample('jfk.wav'));
  const jobsNamed = async (name: string) =>
    ((await stack.http().get('/v1/jobs?limit=200')).body.jobs as { id: string; originalName: string; status: string; stage: string; percent: number; error: string | null; errorCode: string | null }[]).filter(
      (job) => job.originalName === name,
    );

  beforeAll(async () => {
    // One window per decoding batch, so a canceled transcription stops after the window in flight.
    stack = await startStack({ database: 'sqlite', env: { WHISPER_BATCH: '1' } });
    client = new OpenAI({ apiKey: stack.apiKey, baseURL: `${stack.api.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('transcribes jfk.wav as json (application/json) and as text', async () => {
    const { data, response } = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1' }).withResponse();
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    console.log('json:', JSON.stringify(data));
    expect(Object.keys(data)).toEqual(['text']);
    expect(data.text).toMatch(/^And so,? my fellow Americans,? ask not what your country can do for you/i);

    const { data: text, response: textResponse } = await client.audio.transcriptions
      .create({ file: jfk(), model: 'whisper-1', response_format: 'text', language: 'en' })
      .withResponse();
    expect(textResponse.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.toLowerCase()).toContain('what you can do for your country');
  });

  it('writes srt and vtt that parse, with cues in order inside the 11 s recording', async () => {
    const { data: srt, response: srtResponse } = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'srt' }).withResponse();
    const { data: vtt, response: vttResponse } = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'vtt' }).withResponse();
    // As OpenAI sends them: text/plain for every format but json and verbose_json.
    expect(srtResponse.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(vttResponse.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    for (const cues of [parseSrt(srt), parseWebVtt(vtt)]) {
      console.log('cues:', cues.map((cue) => `${cue.start}-${cue.end} ${cue.text}`).join(' | '));
      expect(cues.length).toBeGreaterThanOrEqual(1);
      for (const [i, cue] of cues.entries()) {
        expect(cue.end).toBeGreaterThan(cue.start);
        expect(cue.end).toBeLessThanOrEqual(11.1);
        if (i > 0) expect(cue.start).toBeGreaterThanOrEqual(cues[i - 1]!.start);
      }
      expect(cues.map((cue) => cue.text).join(' ').toLowerCase()).toContain('fellow americans');
    }
  });

  it('answers verbose_json in OpenAI’s schema, with words[] only when timestamp_granularities asks', async () => {
    const { data: plain, response: verboseResponse } = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'verbose_json' }).withResponse();
    expect(verboseResponse.headers.get('content-type')).toMatch(/^application\/json/);
    expect(plain).toMatchObject({ task: 'transcribe', language: 'english', text: expect.stringMatching(/fellow Americans/i) });
    expect(plain.duration).toBeCloseTo(11, 0);
    expect(plain.words).toBeUndefined();
    const segments = plain.segments!;
    expect(segments.length).toBeGreaterThanOrEqual(1);
    for (const [i, segment] of segments.entries()) {
      expect(Object.keys(segment).sort()).toEqual(['avg_logprob', 'compression_ratio', 'end', 'id', 'no_speech_prob', 'seek', 'start', 'temperature', 'text', 'tokens'].sort());
      expect(segment.id).toBe(i);
      expect(Number.isInteger(segment.seek)).toBe(true);
      expect(segment.end).toBeGreaterThan(segment.start);
      expect(segment.text.trim().length).toBeGreaterThan(0);
      // Real decoder statistics: a clear recording is decoded greedily, confidently, without loops.
      expect(segment.temperature).toBe(0);
      expect(segment.avg_logprob).toBeLessThan(0);
      expect(segment.avg_logprob).toBeGreaterThan(-1);
      expect(segment.compression_ratio).toBeGreaterThan(0.5);
      expect(segment.compression_ratio).toBeLessThan(2.4);
      expect(segment.no_speech_prob).toBeGreaterThanOrEqual(0);
      expect(segment.no_speech_prob).toBeLessThan(0.6);
      expect(segment.tokens.length).toBeGreaterThan(3);
      expect(segment.tokens.every((token) => Number.isInteger(token) && token >= 0 && token < 50257)).toBe(true);
    }
    console.log('verbose segments:', JSON.stringify(segments.map(({ start, end, avg_logprob, compression_ratio, no_speech_prob, tokens }) => ({ start, end, avg_logprob, compression_ratio, no_speech_prob, tokens: tokens.length }))));

    const timed = await client.audio.transcriptions.create({
      file: jfk(),
      model: 'whisper-1',
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    const words = timed.words!;
    console.log('words:', words.map((word) => `${word.word}@${word.start}-${word.end}`).join(' '));
    expect(timed.segments!.length).toBe(segments.length);
    expect(words.map((word) => word.word).join(' ')).toMatch(/fellow Americans,? ask not/i);
    for (const [i, word] of words.entries()) {
      expect(word.end).toBeGreaterThanOrEqual(word.start);
      expect(word.end).toBeLessThanOrEqual(11.1);
      if (i > 0) expect(word.start).toBeGreaterThanOrEqual(words[i - 1]!.start);
    }
    // Cross-attention timings, not an even spread: "Americans" (said slowly after a pause) is not
    // where a uniform split of the segment would put it.
    const lengths = words.map((word) => word.end - word.start);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeGreaterThan(0.2);

    const wordsOnly = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word'] });
    expect(wordsOnly.words!.length).toBe(words.length);
    expect(wordsOnly.segments).toBeUndefined();
  });

  it('translates Spanish speech into English, and English speech into Spanish when `to` asks', async () => {
    const english = await client.audio.translations.create({ file: fs.createReadStream(sample('es_everest.mp4')), model: 'whisper-1' });
    console.log('es_everest → en:', english.text);
    expect(english.text.toLowerCase()).toContain('everest');

    const spanish = await client.audio.translations.create({ file: jfk(), model: 'whisper-1', response_format: 'verbose_json', to: 'es' } as OpenAI.Audio.TranslationCreateParams);
    console.log('jfk → es:', JSON.stringify(spanish));
    expect(spanish).toMatchObject({ task: 'translate', language: 'spanish' });
    expect(spanish.text.toLowerCase()).toContain('país');
  });

  it('runs a request that names an installed model on that model, and refuses a model that is not installed', async () => {
    const { data, response } = await client.audio.transcriptions.create({ file: jfk(), model: 'Xenova/whisper-tiny', response_format: 'verbose_json' }).withResponse();
    const jobId = response.headers.get('x-babelfish-job-id')!;
    console.log('tiny:', data.text);
    expect(data.text).toMatch(/fellow Americans/i);
    // Recorded on the job, and the worker says which model it ran (a second Whisper thread, loaded on demand).
    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job as { transcription: { model: string; whisperModel?: string } };
    expect(job.transcription).toMatchObject({ model: 'Xenova/whisper-tiny', whisperModel: 'Xenova/whisper-tiny' });
    const ran = stack.worker!.output().split('\n').filter((line) => line.includes('"message":"transcription model"') && line.includes(jobId));
    expect(ran).toHaveLength(1);
    expect(JSON.parse(ran[0]!)).toMatchObject({ jobId, modelId: 'Xenova/whisper-tiny' });
    expect(stack.worker!.output()).toMatch(/"message":"loading another whisper model"[^\n]*Xenova\/whisper-tiny/);
    // whisper-1 stays on the configured model.
    const { response: baseResponse } = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1' }).withResponse();
    const baseJob = baseResponse.headers.get('x-babelfish-job-id')!;
    const baseRan = stack.worker!.output().split('\n').find((line) => line.includes('"message":"transcription model"') && line.includes(baseJob));
    expect(JSON.parse(baseRan!)).toMatchObject({ modelId: 'Xenova/whisper-base' });
    expect((await stack.http().get(`/v1/jobs/${baseJob}`)).body.job.transcription.whisperModel).toBeUndefined();

    const unknown = await client.audio.transcriptions.create({ file: jfk(), model: 'Xenova/whisper-large-v3' }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect(unknown).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'model', code: null });
    expect((unknown as APIError).error).toMatchObject({ message: expect.stringContaining('Xenova/whisper-tiny'), type: 'invalid_request_error', param: 'model' });
  });

  it('gives `prompt` to Whisper as previous text: its spelling carries into the transcript', async () => {
    // Greedy decoding is deterministic: without a prompt tiny writes "Americans", after a prompt
    // that spells it in capitals it writes "AMERICANS" (measured; tiny follows a prompt more readily than base).
    const plain = await client.audio.transcriptions.create({ file: jfk(), model: 'Xenova/whisper-tiny', language: 'en' });
    const prompted = await client.audio.transcriptions.create({ file: jfk(), model: 'Xenova/whisper-tiny', language: 'en', prompt: 'Welcome, fellow AMERICANS and friends.' });
    console.log('tiny without prompt:', plain.text, '| with prompt:', prompted.text);
    expect(plain.text).toContain('fellow Americans');
    expect(prompted.text).toContain('AMERICANS');
    expect(prompted.text.toLowerCase()).toContain('country can do for you');
    // The prompt is previous text, never part of the answer.
    expect(prompted.text).not.toMatch(/welcome|friends/i);
  });

  it('starts the temperature fallback at `temperature`', async () => {
    const hot = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'verbose_json', temperature: 0.6 });
    console.log('temperature 0.6:', JSON.stringify(hot.segments!.map(({ text, temperature }) => ({ text, temperature }))));
    expect(hot.segments!.length).toBeGreaterThanOrEqual(1);
    // Sampled, not greedy (the greedy segments above report 0), and still the speech.
    for (const segment of hot.segments!) expect(segment.temperature).toBeGreaterThanOrEqual(0.6);
    expect(hot.text.toLowerCase()).toContain('country');
  });

  it('lists the served models, and every job belongs to the key’s owner (the dashboard’s job list)', async () => {
    // whisper-1 (the configured model), then each Whisper model installed in the models folder.
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['whisper-1', 'Xenova/whisper-base', 'Xenova/whisper-tiny']);
    expect(stack.config.models.whisper).toBe('Xenova/whisper-base');
    expect((await client.models.retrieve('whisper-1')).object).toBe('model');
    const jobs = (await stack.http().get('/v1/jobs?limit=200')).body.jobs as { kind: string; status: string; ownerId?: string; transcription: { api: string } | null }[];
    const transcriptions = jobs.filter((job) => job.kind === 'transcription');
    expect(transcriptions.length).toBeGreaterThanOrEqual(11);
    expect(transcriptions.every((job) => job.transcription?.api === 'openai' && job.status === 'completed')).toBe(true);
    const stranger = await stack.createApiKey('someone-else');
    expect((await stack.http(stranger).get('/v1/jobs')).body.jobs).toEqual([]);
  });

  it('refuses in OpenAI’s error shape with real statuses: bad key 401, bad field 400 with param, not audio 415', async () => {
    const badKey = new OpenAI({ apiKey: 'bf_000000000000.nope', baseURL: `${stack.api.url}/v1`, maxRetries: 0 });
    const unauthorized = await badKey.audio.transcriptions.create({ file: jfk(), model: 'whisper-1' }).catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauthorized).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });

    const badFormat = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'mp3' as 'json' }).catch((error: unknown) => error);
    expect(badFormat).toBeInstanceOf(OpenAI.BadRequestError);
    expect(badFormat).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'response_format' });

    const badModel = await client.audio.transcriptions.create({ file: jfk(), model: 'gpt-4o-transcribe' }).catch((error: unknown) => error);
    expect(badModel).toMatchObject({ status: 400, param: 'model' });

    const textFile = path.join(workDir, 'notes.mp3');
    fs.writeFileSync(textFile, 'These are meeting notes, not audio.\n'.repeat(20));
    const notAudio = await client.audio.transcriptions.create({ file: fs.createReadStream(textFile), model: 'whisper-1' }).catch((error: unknown) => error);
    expect(notAudio).toBeInstanceOf(APIError);
    expect(notAudio).toMatchObject({ status: 415, type: 'invalid_request_error' });
    console.log('415 body:', JSON.stringify((notAudio as APIError).error));

    // A real MP4 without an audio track: 422, from the request's own container walk.
    const silentVideo = path.join(workDir, 'no-audio.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5', '-t', '1', '-c:v', 'mpeg4', '-y', silentVideo]);
    const noAudio = await client.audio.transcriptions.create({ file: fs.createReadStream(silentVideo), model: 'whisper-1' }).catch((error: unknown) => error);
    expect(noAudio).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    expect(noAudio).toMatchObject({ status: 422, type: 'invalid_request_error', message: expect.stringMatching(/no audio track/) });

    // A job the worker fails (Zulu is in the language table, but Whisper has no token for it)
    // is answered with that failure's own status, not a blanket 500.
    const zulu = await client.audio.transcriptions.create({ file: await toFile(fs.readFileSync(sample('jfk.wav')), 'zulu.wav'), model: 'whisper-1', language: 'zu' }).catch((error: unknown) => error);
    expect(zulu).toBeInstanceOf(OpenAI.BadRequestError);
    expect(zulu).toMatchObject({ status: 400, type: 'invalid_request_error', message: expect.stringMatching(/Zulu/) });
    const [failed] = await jobsNamed('zulu.wav');
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'UNKNOWN_LANGUAGE' });
  });

  it('cancels the job of a client that disconnects: taken off the queue while it waits, stopped at a window boundary while it runs', async () => {
    // Two minutes of speech: a dozen windows, decoded one at a time in this stack.
    const long = path.join(workDir, 'long.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '11', '-i', sample('jfk.wav'), '-c', 'copy', '-y', long]);
    const until = async <T>(read: () => Promise<T | undefined>): Promise<T> => {
      for (;;) {
        const value = await read();
        if (value !== undefined) return value;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };

    const longAbort = new AbortController();
    const longCall = client.audio.transcriptions.create({ file: await toFile(fs.createReadStream(long), 'long.wav'), model: 'whisper-1' }, { signal: longAbort.signal }).catch((error: unknown) => error);
    // Running and transcribing (past extraction), so the worker is busy with it.
    const running = await until(async () => (await jobsNamed('long.wav')).find((job) => job.status === 'processing' && job.percent > 5));

    const queuedAbort = new AbortController();
    const queuedCall = client.audio.transcriptions.create({ file: await toFile(jfk(), 'queued.wav'), model: 'whisper-1' }, { signal: queuedAbort.signal }).catch((error: unknown) => error);
    const queued = await until(async () => (await jobsNamed('queued.wav')).find((job) => job.status === 'queued'));
    // Queued at the interactive priority, ahead of bulk video jobs.
    expect(await waitingPriority(stack.config, queued.id)).toBe(JobPriority.interactive);
    queuedAbort.abort();
    expect(await queuedCall).toBeInstanceOf(Error);
    const queuedEnd = await until(async () => (await jobsNamed('queued.wav')).find((job) => job.status !== 'queued'));
    expect(queuedEnd).toMatchObject({ id: queued.id, status: 'canceled', error: expect.stringMatching(/^Canceled/) });

    longAbort.abort();
    expect(await longCall).toBeInstanceOf(Error);
    const longEnd = await until(async () => (await jobsNamed('long.wav')).find((job) => job.status !== 'processing'));
    expect(longEnd).toMatchObject({ id: running.id, status: 'canceled', error: expect.stringMatching(/^Canceled/) });
    // The next client is served: the worker dropped the canceled work instead of finishing it.
    const next = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1' });
    expect(next.text).toMatch(/fellow Americans/i);

    // The worker heard the cancellation and stopped the running job (before its last window).
    expect(stack.worker!.output()).toContain('canceling a running transcription');
    const canceledLines = stack.worker!.output().split('\n').filter((line) => line.includes('"message":"stage canceled"'));
    expect(canceledLines.some((line) => line.includes(running.id))).toBe(true);
    expect((await stack.http().get(`/v1/jobs/${queued.id}/outputs`)).body.outputs).toEqual([]);
    const canceledLong = (await jobsNamed('long.wav'))[0]!;
    console.log('canceled long job:', JSON.stringify(canceledLong));
    expect(canceledLong.percent).toBeLessThan(45);
    expect((await stack.http().get(`/v1/jobs/${running.id}/outputs`)).body.outputs).toEqual([]);
  });

  it('applies the limits of /v1/jobs: upload size 413, duration 413, submissions a minute 429 with Retry-After', async () => {
    const limited = await startLimitedApi(stack.config);
    try {
      // A key of its own, so the submissions above do not count against this minute's limit.
      const limitedClient = new OpenAI({ apiKey: await stack.createApiKey('limits'), baseURL: `${limited.url}/v1`, maxRetries: 0 });
      const sixSeconds = path.join(workDir, 'six.wav');
      execFileSync('ffmpeg', ['-v', 'error', '-i', sample('jfk.wav'), '-t', '6', '-y', sixSeconds]);
      expect(fs.statSync(sample('jfk.wav')).size).toBeGreaterThan(300_000);
      expect(fs.statSync(sixSeconds).size).toBeLessThan(300_000);

      const tooBig = await limitedClient.audio.transcriptions.create({ file: jfk(), model: 'whisper-1' }).catch((error: unknown) => error);
      expect(tooBig).toMatchObject({ status: 413, type: 'invalid_request_error', code: 'file_too_large' });
      const tooLong = await limitedClient.audio.transcriptions.create({ file: fs.createReadStream(sixSeconds), model: 'whisper-1' }).catch((error: unknown) => error);
      expect(tooLong).toMatchObject({ status: 413, message: expect.stringMatching(/limit is 5 s/) });
      await limitedClient.audio.translations.create({ file: fs.createReadStream(sixSeconds), model: 'whisper-1' }).catch((error: unknown) => error);
      const tooMany = await limitedClient.audio.transcriptions.create({ file: fs.createReadStream(sixSeconds), model: 'whisper-1' }).catch((error: unknown) => error);
      expect(tooMany).toBeInstanceOf(OpenAI.RateLimitError);
      expect(tooMany).toMatchObject({ status: 429, type: 'requests', code: 'rate_limit_exceeded' });
      expect(Number((tooMany as APIError).headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});
