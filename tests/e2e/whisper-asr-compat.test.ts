import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createLogger } from '@babelfish/logger';
import { parseSrt, parseWebVtt } from '@babelfish/media';
import { startApiServer, type ApiServer } from '../../apps/api/src/server';
import { JobPriority } from '@babelfish/queue';
import { startImpatientApi, startLimitedApi, waitingPriority } from '../support/compat';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';

/**
 * The whisper-asr-webservice API as Bazarr, subgen users and Jellyfin plugins call it, with plain
 * fetch against the real stack. The key is in the path (Bazarr only takes a base URL).
 */
describe('whisper-asr-webservice compatible API', () => {
  let stack: Stack;
  let base: string;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-whisper-asr-'));
  beforeAll(async () => {
    stack = await startStack({ database: 'postgres' });
    base = `${stack.api.url}/compat/whisper-asr/${stack.apiKey}`;
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  /** What Bazarr's requests sends: the bytes as multipart field audio_file, named after the field. */
  const form = (bytes: Buffer, name = 'audio_file') => {
    const body = new FormData();
    body.append('audio_file', new Blob([new Uint8Array(bytes)]), name);
    return body;
  };
  /** jfk.wav twelve times over: two minutes of speech. */
  const longWav = () => {
    const long = path.join(workDir, 'long.wav');
    if (!fs.existsSync(long)) execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '11', '-i', sample('jfk.wav'), '-c', 'copy', '-y', long]);
    return long;
  };
  // Bazarr's own ffmpeg run: signed 16-bit little-endian mono PCM at 16 kHz, no header.
  const pcm = () => execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', sample('jfk.wav'), '-f', 's16le', '-acodec', 'pcm_s16le', '-ac', '1', '-ar', '16000', '-'], { maxBuffer: 64 * 1024 * 1024 });

  it("replays Bazarr's calls: status, detect-language and asr?output=srt on raw PCM (encode=false)", async () => {
    const status = await fetch(`${base}/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ version: expect.any(String) });

    const audio = pcm();
    expect(audio.length).toBe(11 * 16000 * 2);
    const detected = await fetch(`${base}/detect-language?encode=false`, { method: 'POST', body: form(audio) });
    expect(detected.status).toBe(200);
    expect(detected.headers.get('content-type')).toMatch(/^application\/json/);
    const language = (await detected.json()) as { detected_language: string; language_code: string; confidence: number };
    console.log('detect-language:', JSON.stringify(language));
    expect(language).toMatchObject({ detected_language: 'english', language_code: 'en' });
    expect(language.confidence).toBeGreaterThan(0.5);
    expect(language.confidence).toBeLessThanOrEqual(1);

    const asr = await fetch(`${base}/asr?task=transcribe&language=en&output=srt&encode=false&video_file=/media/jfk.mkv`, { method: 'POST', body: form(audio) });
    expect(asr.status).toBe(200);
    expect(asr.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(asr.headers.get('content-disposition')).toBe('attachment; filename="audio_file.srt"');
    const srt = await asr.text();
    console.log('srt:', JSON.stringify(srt));
    expect(srt).toMatch(/^1\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\n/);
    const cues = parseSrt(srt);
    expect(cues.length).toBeGreaterThanOrEqual(1);
    expect(cues.every((cue) => cue.end > cue.start && cue.end <= 11.1)).toBe(true);
    expect(cues.map((cue) => cue.text).join(' ')).toMatch(/fellow Americans/i);

    // Both jobs belong to the key's owner and show in the dashboard's list.
    const jobs = (await stack.http().get('/v1/jobs')).body.jobs as { kind: string; status: string; transcription: { api: string; task: string } }[];
    expect(jobs.filter((job) => job.kind === 'transcription').map((job) => [job.transcription.api, job.transcription.task, job.status])).toEqual([
      ['whisper-asr', 'transcribe', 'completed'],
      ['whisper-asr', 'detect-language', 'completed'],
    ]);
  });

  it('decodes a video itself with encode=true and writes vtt, txt, tsv and json as whisper-asr-webservice does', async () => {
    const video = fs.readFileSync(sample('jfk.mp4'));
    const asr = async (output: string) => {
      const response = await fetch(`${base}/asr?output=${output}&word_timestamps=true&vad_filter=true&initial_prompt=Kennedy`, { method: 'POST', body: form(video, 'jfk.mp4') });
      expect([output, response.status, response.headers.get('content-type')?.split(';')[0]]).toEqual([output, 200, 'text/plain']);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="jfk.mp4.${output}"`);
      return response.text();
    };

    const vtt = await asr('vtt');
    expect(vtt).toMatch(/^WEBVTT\n\n00:\d\d\.\d{3} --> 00:\d\d\.\d{3}\n/);
    expect(parseWebVtt(vtt).map((cue) => cue.text).join(' ')).toMatch(/fellow Americans/i);

    const txt = await asr('txt');
    expect(txt.endsWith('\n')).toBe(true);
    expect(txt).not.toContain('-->');
    expect(txt.replace(/\n/g, ' ')).toMatch(/ask not what your country can do for you/i);

    const tsv = await asr('tsv');
    const [header, ...rows] = tsv.trimEnd().split('\n');
    expect(header).toBe('start\tend\ttext');
    console.log('tsv:', JSON.stringify(tsv));
    for (const row of rows) {
      const [start, end, text] = row.split('\t');
      expect(start).toMatch(/^\d+$/);
      expect(Number(end)).toBeGreaterThan(Number(start));
      expect(Number(end)).toBeLessThanOrEqual(11_100);
      expect(text!.length).toBeGreaterThan(0);
    }

    const json = JSON.parse(await asr('json')) as { language: string; text: string; segments: { id: number; start: number; end: number; text: string; tokens: number[]; words: { word: string; start: number; end: number }[] }[] };
    expect(Object.keys(json)).toEqual(['language', 'segments', 'text']);
    expect(json.language).toBe('en');
    expect(json.text).toMatch(/fellow Americans/i);
    expect(json.segments[0]).toMatchObject({ id: 1, start: expect.any(Number), end: expect.any(Number), tokens: expect.any(Array) });
    const words = json.segments.flatMap((segment) => segment.words);
    expect(words.map((word) => word.word.trim())).toContain('Americans');
    expect(words.every((word) => word.end >= word.start)).toBe(true);
  });

  it('refuses without answering 200 or anything that reads as subtitles', async () => {
    const wrongKey = await fetch(`${stack.api.url}/compat/whisper-asr/bf_000000000000.wrong/asr?output=srt`, { method: 'POST', body: form(pcm()) });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toEqual({ detail: expect.stringMatching(/API key/) });
    expect((await fetch(`${stack.api.url}/compat/whisper-asr/bf_000000000000.wrong/status`)).status).toBe(401);

    const garbage = Buffer.from('1\n00:00:00,000 --> 00:00:01,000\nnot audio at all\n'.repeat(50));
    for (const [query, expected] of [
      ['output=srt', 415], // encode=true: ffprobe cannot read it
      ['output=srt&encode=false', 415], // an odd number of bytes is no 16-bit PCM
      ['output=docx', 400],
      ['output=srt&task=summarize', 400],
    ] as const) {
      const refused = await fetch(`${base}/asr?${query}`, { method: 'POST', body: form(query.includes('encode=false') ? Buffer.concat([pcm(), Buffer.from([0])]) : garbage) });
      const body = await refused.text();
      console.log(query, refused.status, body);
      expect([query, refused.status]).toEqual([query, expected]);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(body).not.toContain('-->');
      expect(JSON.parse(body)).toEqual({ detail: expect.any(String) });
    }
    const missing = await fetch(`${base}/asr?output=srt`, { method: 'POST', body: new FormData() });
    expect(missing.status).toBe(400);
  });

  it('translates Spanish speech into English with task=translate', async () => {
    const response = await fetch(`${base}/asr?task=translate&output=txt`, { method: 'POST', body: form(fs.readFileSync(sample('es_everest.mp4')), 'es_everest.mp4') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const english = await response.text();
    console.log('es_everest → en:', JSON.stringify(english));
    expect(english.toLowerCase()).toContain('everest');
    // English words, not the Spanish of the recording (es_everest.txt).
    expect(english).toMatch(/\b(the|I|that|can|to)\b/);
    expect(english).not.toMatch(/\b(que|puedo|sueño|oxígeno)\b/i);
  });

  it('accepts a request while the only worker is busy, queues it at the interactive priority and holds it open until its result', async () => {
    // Two minutes of speech keep the stack's one worker busy.
    const long = longWav();
    const jobsNamed = async (name: string) =>
      ((await stack.http().get('/v1/jobs?limit=200')).body.jobs as { id: string; originalName: string; status: string; percent: number }[]).filter((job) => job.originalName === name);
    const until = async <T>(read: () => Promise<T | undefined>): Promise<T> => {
      for (;;) {
        const value = await read();
        if (value !== undefined) return value;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const longCall = fetch(`${base}/asr?output=txt&language=en`, { method: 'POST', body: form(fs.readFileSync(long), 'long.wav') });
    await until(async () => (await jobsNamed('long.wav')).find((job) => job.status === 'processing' && job.percent > 5));

    let answered = false;
    const busyCall = fetch(`${base}/asr?output=srt&language=en`, { method: 'POST', body: form(fs.readFileSync(sample('jfk.wav')), 'busy.wav') }).finally(() => {
      answered = true;
    });
    // Taken in at once (a job exists, queued behind the running one) while the request stays open.
    const queued = await until(async () => (await jobsNamed('busy.wav')).find((job) => job.status === 'queued'));
    expect(await waitingPriority(stack.config, queued.id)).toBe(JobPriority.interactive);
    expect(answered).toBe(false);

    const busy = await busyCall;
    expect(busy.status).toBe(200);
    expect(parseSrt(await busy.text()).map((cue) => cue.text).join(' ')).toMatch(/fellow Americans/i);
    const longAnswer = await longCall;
    expect(longAnswer.status).toBe(200);
    expect((await longAnswer.text()).match(/fellow Americans/gi)!.length).toBeGreaterThanOrEqual(10);
  });

  it('answers a failed job with an error status and a JSON body, never 200 or subtitles', async () => {
    // Zulu is in Babelfish's language table but Whisper has no token for it: the worker fails the job.
    const response = await fetch(`${base}/asr?output=srt&language=zu`, { method: 'POST', body: form(fs.readFileSync(sample('jfk.wav')), 'zulu.wav') });
    const body = await response.text();
    console.log('failed job:', response.status, body);
    // The job's failure keeps its own status (a language Whisper cannot hear is the caller's 400), never a blanket 500.
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).not.toContain('-->');
    expect(JSON.parse(body)).toEqual({ detail: expect.stringMatching(/Zulu/) });
    const jobs = (await stack.http().get('/v1/jobs?limit=200')).body.jobs as { originalName: string; status: string; errorCode: string | null }[];
    expect(jobs.find((job) => job.originalName === 'zulu.wav')).toMatchObject({ status: 'failed', errorCode: 'UNKNOWN_LANGUAGE' });
  });

  it('answers 503 with Retry-After when the job outlasts COMPAT_WAIT_SECONDS, and cancels it', async () => {
    const impatient = await startImpatientApi(stack.config, 1);
    try {
      const key = await stack.createApiKey('impatient');
      // Two minutes of speech cannot be transcribed within the 1 s this API waits.
      const response = await fetch(`${impatient.url}/compat/whisper-asr/${key}/asr?output=srt`, { method: 'POST', body: form(fs.readFileSync(longWav()), 'impatient.wav') });
      const body = await response.text();
      console.log('wait limit:', response.status, body);
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(body).not.toContain('-->');
      expect(JSON.parse(body)).toEqual({ detail: expect.stringMatching(/within 1 s and was canceled/) });
      const [job] = (await stack.http(key).get('/v1/jobs')).body.jobs as { status: string; error: string }[];
      expect(job).toMatchObject({ status: 'canceled', error: expect.stringMatching(/^Canceled/) });
    } finally {
      await impatient.close();
    }
  });

  it('applies the limits of /v1/jobs: upload size 413, duration 413, submissions a minute 429 with Retry-After', async () => {
    const limited = await startLimitedApi(stack.config);
    try {
      const limitedBase = `${limited.url}/compat/whisper-asr/${await stack.createApiKey('limits')}`;
      const post = (bytes: Buffer, query = 'output=srt') => fetch(`${limitedBase}/asr?${query}`, { method: 'POST', body: form(bytes) });
      const sixSeconds = execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', sample('jfk.wav'), '-t', '6', '-f', 's16le', '-acodec', 'pcm_s16le', '-ac', '1', '-ar', '16000', '-']);
      expect(sixSeconds.length).toBeLessThan(300_000);

      const tooBig = await post(pcm(), 'output=srt&encode=false');
      expect([tooBig.status, await tooBig.json()]).toEqual([413, { detail: expect.stringMatching(/larger than the configured limit/) }]);
      const tooLong = await post(sixSeconds, 'output=srt&encode=false');
      expect([tooLong.status, await tooLong.json()]).toEqual([413, { detail: expect.stringMatching(/limit is 5 s/) }]);
      await post(sixSeconds, 'output=srt&encode=false');
      const tooMany = await post(sixSeconds, 'output=srt&encode=false');
      expect([tooMany.status, await tooMany.json()]).toEqual([429, { detail: expect.stringMatching(/Too many/) }]);
      expect(Number(tooMany.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it('serves /compat/whisper-asr/ without a key when AUTH_MODE=none (jobs of the local owner)', async () => {
    // A second API on the same database and queue, so the stack's worker runs its jobs.
    const open: ApiServer = await startApiServer({ ...stack.config, auth: { ...stack.config.auth, mode: 'none' } }, createLogger('test', 'warn'));
    try {
      const status = await fetch(`${open.url}/compat/whisper-asr/status`);
      expect(status.status).toBe(200);
      const response = await fetch(`${open.url}/compat/whisper-asr/asr?output=txt&language=en`, { method: 'POST', body: form(fs.readFileSync(sample('jfk.wav')), 'jfk.wav') });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/fellow Americans/i);
      const jobs = (await fetch(`${open.url}/v1/jobs`).then((reply) => reply.json())) as { jobs: { kind: string }[] };
      expect(jobs.jobs.map((job) => job.kind)).toEqual(['transcription']);
    } finally {
      await open.close();
    }
  });
});
