import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { QueueName, createRedisConnection } from '@babelfish/queue';
import { startChatServer, type ChatServerProcess } from '../../packages/ml/src/testing/chat-server-process';
import { ffmpegUnder } from '../support/process-tree';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';

/**
 * Cancel reaches every stage on the real stack (API, one worker process, Redis, SQLite): an llm
 * translation waiting on its (scripted) server has its HTTP request aborted and sends no more;
 * a long recording split into chunk jobs has the waiting chunks taken off the queue and the
 * running one stopped; a burn-in has its ffmpeg killed. Each job ends `canceled`, never `failed`.
 */

type Job = { id: string; status: string; stage: string; percent: number; error: string | null };

describe('cancel in each stage (llm translation, chunked transcription, ffmpeg)', () => {
  let stack: Stack;
  let chat: ChatServerProcess;
  let scratch: string;
  let connection: ReturnType<typeof createRedisConnection>;
  let transcribeQueue: Queue;

  const job = async (id: string): Promise<Job> => (await stack.http().get(`/v1/jobs/${id}`)).body.job as Job;
  const until = async <T>(what: string, read: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const submit = async (file: string, fields: Record<string, string>) => {
    let submission = stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en');
    for (const [name, value] of Object.entries(fields)) submission = submission.field(name, value);
    const response = await submission.attach('file', file);
    if (response.status !== 202) throw new Error(`submission answered ${response.status}: ${response.text}`);
    return response.body.job.id as string;
  };
  const cancel = async (id: string) => {
    const response = await stack.http().post(`/v1/jobs/${id}/cancel`);
    expect(response.status).toBe(202);
    expect(response.body.job).toMatchObject({ id, status: 'canceled' });
  };
  const workerLines = (id: string) => stack.worker!.output().split('\n').filter((line) => line.includes(id));
  /** The worker logged that it stopped the job's running step of `queue` as canceled (not failed). */
  const stoppedAsCanceled = (id: string, queue: string) =>
    until(`the worker to stop the ${queue} step of ${id}`, () => (workerLines(id).some((line) => line.includes('"message":"stage canceled"') && line.includes(`"queue":"${queue}"`)) ? true : undefined), 30_000);
  const expectNeverFailed = async (id: string) => {
    expect(await job(id)).toMatchObject({ status: 'canceled', error: 'Canceled by its owner' });
    expect(workerLines(id).filter((line) => /"message":"stage failed"/.test(line))).toEqual([]);
    expect((await stack.http().get(`/v1/jobs/${id}/outputs`)).body.outputs).toEqual([]);
  };

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-cancel-stages-'));
    chat = await startChatServer();
    stack = await startStack({
      database: 'sqlite',
      env: {
        WORKER_CONCURRENCY: '1',
        // A recording over a minute is cut into ~10 s chunk jobs (the chunk test's two minutes: ~13).
        TRANSCRIBE_SPLIT_SECONDS: '60',
        TRANSCRIBE_CHUNK_SECONDS: '10',
        LLM_BASE_URL: chat.baseUrl,
        LLM_MODEL: 'cancel-model',
        // Longer than the server hangs in this test: only the cancel may end the request.
        LLM_TIMEOUT_MS: '120000',
      },
    });
    connection = createRedisConnection(stack.config.redisUrl, 'cancel-stages-test');
    transcribeQueue = new Queue(QueueName.Transcribe, { connection, prefix: stack.config.queuePrefix });
  });
  afterAll(async () => {
    await transcribeQueue?.close();
    connection?.disconnect();
    await stack?.stop();
    await chat?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('an llm translation: the request in flight is aborted, no further one is sent, the job ends canceled', async () => {
    // The summary is answered; every translation request hangs (a slow or stuck paid model).
    await chat.setScript({ fallback: { kind: 'hang', ms: 110_000 } });
    const id = await submit(sample('jfk.mp4'), { engine: 'llm' });
    const inFlight = await until('a translation request at the chat server', async () => {
      const sent = await chat.requests('translate');
      return sent.length > 0 ? sent : undefined;
    });
    const canceledAt = Date.now();
    await cancel(id);

    await stoppedAsCanceled(id, 'translate');
    console.log(`llm translation stopped ${Date.now() - canceledAt} ms after the cancel`);
    // The server saw the client hang up on every translation request it had.
    await until('the chat server to see the request closed', async () =>
      (await chat.requests('translate')).filter((request) => request.closedBeforeReply).length >= inFlight.length ? true : undefined, 10_000);
    // Nothing more is sent (nor paid for) afterwards.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const sent = await chat.requests('translate');
    expect(sent.length).toBe(inFlight.length);
    expect(sent.every((request) => request.closedBeforeReply)).toBe(true);
    await expectNeverFailed(id);
  });

  it('a chunk-parallel transcription: the waiting chunk jobs leave the queue, the running one stops, the job ends canceled', async () => {
    const long = path.join(scratch, 'two-minutes.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '11', '-i', sample('jfk.wav'), '-c:a', 'aac', '-y', long]);
    const id = await submit(long, {});
    const chunksOf = async (states: Parameters<Queue['getJobs']>[0]) =>
      (await transcribeQueue.getJobs(states)).filter((entry) => entry?.data?.jobId === id && entry.data.kind === 'chunk');
    // Queued as a flow: the merge waits for its chunks, one of which the worker is transcribing.
    const waiting = await until('chunk jobs waiting while one runs', async () => {
      const queued = await chunksOf(['wait', 'prioritized']);
      const running = await chunksOf(['active']);
      return queued.length > 0 && running.length > 0 ? queued : undefined;
    });
    expect(waiting.length).toBeGreaterThan(1);
    await cancel(id);

    await stoppedAsCanceled(id, 'transcribe');
    // None of the job's chunks is left to run: the waiting ones were removed, the running one stopped.
    await until('no chunk of the job waiting or running', async () => ((await chunksOf(['wait', 'prioritized', 'delayed', 'active', 'waiting-children'])).length === 0 ? true : undefined), 30_000);
    const merge = (await transcribeQueue.getJobs(['wait', 'prioritized', 'delayed', 'active', 'waiting-children'])).filter((entry) => entry?.data?.jobId === id);
    expect(merge).toEqual([]);
    // The waiting chunks were taken off the queue, not run and skipped: of those seen waiting,
    // only one the worker had started meanwhile may still be on record.
    const started = new Set(
      workerLines(id)
        .filter((line) => line.includes('"message":"transcribing a chunk"'))
        .map((line) => Number(/"chunk":(\d+)/.exec(line)?.[1])),
    );
    const kept = (await Promise.all(waiting.map((entry) => transcribeQueue.getJob(entry.id!)))).filter((entry) => entry !== undefined);
    expect(kept.filter((entry) => !started.has(entry.data.index))).toEqual([]);
    expect(started.size).toBeLessThan(waiting.length);
    await expectNeverFailed(id);
  });

  it('an ffmpeg burn-in: no ffmpeg of the worker survives the cancel, the job ends canceled', async () => {
    // 30 s of busy 720p picture (slow to re-encode) over JFK's 11 s and silence (one Whisper window).
    const video = path.join(scratch, 'burn.mp4');
    execFileSync('ffmpeg', [
      '-v', 'error',
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=30',
      '-i', sample('jfk.wav'),
      '-filter:a', 'apad', '-t', '30',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-y', video,
    ]);
    const id = await submit(video, { burnIn: 'true' });
    const workerPid = stack.worker!.child.pid!;
    // The burn-in's ffmpeg (it draws the subtitles; the soft-subtitle mux copies and is quick).
    const burning = await until('the burn-in ffmpeg to run', () => {
      const running = ffmpegUnder(workerPid).filter((process) => /subtitles=|ass=/.test(process.cmdline));
      return running.length > 0 ? running : undefined;
    }, 170_000);
    expect((await job(id)).stage).toBe('mux');
    await cancel(id);

    await stoppedAsCanceled(id, 'mux');
    await until('every ffmpeg of the worker to be gone', () => (ffmpegUnder(workerPid).length === 0 ? true : undefined), 10_000);
    expect(ffmpegUnder(workerPid).filter((process) => burning.some((seen) => seen.pid === process.pid))).toEqual([]);
    await expectNeverFailed(id);
  });
});
