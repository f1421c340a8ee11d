import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sample } from '../support/paths';
import { loopVideo, submitJob, transcribeBullJob, useReliabilitySuite, waitFor, waitForJobEnd } from '../support/reliability';
import type { WorkerProcess } from '../support/worker-process';

/** The JSON log lines of a worker with the given message. */
function logLines(worker: WorkerProcess, message: string): Record<string, unknown>[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.includes(`"message":"${message}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * SIGTERM (docker stop, a rolling deploy, ECS scale-in) while a worker is transcribing, with a
 * second worker up: the first takes no new work, hands the job it was running back to the queue
 * and exits 0; the second starts it at once (no lock has to lapse, nothing counts as a stall or
 * a failed attempt) and the job completes. A long recording, split into chunks, resumes from its
 * finished chunks. And a killed worker's temp folder is removed when a worker starts.
 */
describe('graceful shutdown: SIGTERM hands the running job to another worker', () => {
  // The default lock (120 s): a job abandoned rather than handed back could not be taken in time.
  // Recordings over 90 s are transcribed in chunks of about 20 s. Whisper stops at the end of a
  // batch of 30 s windows: one window per batch, so that a 77 s recording is three batches.
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-worker-tmp-'));
  const suite = useReliabilitySuite({ TMPDIR: tmpDir, TRANSCRIBE_SPLIT_SECONDS: '90', TRANSCRIBE_CHUNK_SECONDS: '20', WHISPER_BATCH: '1' });
  const { setup, scratch, startWorker } = suite;
  const processesDir = path.join(tmpDir, 'babelfish', 'processes');
  afterAll(() => fs.rmSync(tmpDir, { recursive: true, force: true }));

  let first: WorkerProcess;
  let second: WorkerProcess;

  it('removes the temp folder a killed worker left, and leaves a live one alone', async () => {
    const deadPid = spawnSync('true').pid;
    const leftover = path.join(processesDir, `worker-${deadPid}-dead`);
    fs.mkdirSync(path.join(leftover, 'transcribe-x'), { recursive: true });
    fs.writeFileSync(path.join(leftover, '.owner.json'), JSON.stringify({ pid: deadPid, host: os.hostname() }));
    fs.writeFileSync(path.join(leftover, 'transcribe-x', 'audio.wav'), Buffer.alloc(64 * 1024));

    first = await startWorker();
    expect(fs.existsSync(leftover)).toBe(false);
    expect(logLines(first, 'removed temporary files left by stopped workers')).toEqual([expect.objectContaining({ names: [path.basename(leftover)] })]);
    const own = fs.readdirSync(processesDir);
    expect(own).toEqual([expect.stringMatching(new RegExp(`^worker-${first.child.pid}-`))]);

    second = await startWorker();
    // The first worker's folder is alive (its process runs): the second one's sweep keeps it.
    const both = fs.readdirSync(processesDir);
    expect(both).toHaveLength(2);
    expect(both).toEqual(expect.arrayContaining([...own, expect.stringMatching(new RegExp(`^worker-${second.child.pid}-`))]));
    expect(logLines(second, 'removed temporary files left by stopped workers')).toEqual([]);
  });

  it('hands a whole-recording transcription back; the other worker takes it at once and completes it', async () => {
    const video = path.join(scratch, 'everest-x2.mp4');
    loopVideo(sample('es_everest.mp4'), video, 2); // ~77 s of Spanish speech: one transcription, no chunks
    const jobId = await submitJob(suite.store, video, { from: 'es', to: ['en'] });
    const running = await waitFor(
      'Whisper to be under way',
      async () => {
        const job = await suite.store.jobs.get(jobId);
        return job && (job.stageProgress.transcribe ?? 0) >= 20 ? job : undefined;
      },
      120_000,
      50,
    );
    const runner = [first, second].find((worker) => logLines(worker, 'step started').some((line) => line.jobId === jobId))!;
    const other = runner === first ? second : first;
    const signalledAt = Date.now();
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toEqual({ code: 0, signal: null });
    const shutdownMs = Date.now() - signalledAt;
    expect(logLines(runner, 'handed a running job back to the queue')).toEqual([expect.objectContaining({ queue: 'transcribe', jobId })]);
    expect(runner.output()).toContain('"message":"worker stopped"');
    // Its own temp folder went with it.
    expect(fs.readdirSync(processesDir).some((name) => name.startsWith(`worker-${runner.child.pid}-`))).toBe(false);

    // Back to two workers for the next test. Either of them may take the job over: the one that
    // was idle all along, or (on a loaded machine, if it starts first) the replacement.
    const replacement = runner === first ? (first = await startWorker()) : (second = await startWorker());
    const takenOver = await waitFor(
      'another worker to start the job',
      async () => [other, replacement].flatMap((worker) => logLines(worker, 'step started')).find((line) => line.jobId === jobId),
      60_000,
      50,
    );
    // From the hand-back to the other worker's start, by the two processes' own log clocks.
    const handedBackAt = Date.parse(String(logLines(runner, 'handed a running job back to the queue')[0]!.timestamp));
    const takeoverMs = Date.parse(String(takenOver.timestamp)) - handedBackAt;
    const job = await waitForJobEnd(suite.store, jobId, 150_000);
    expect(job).toMatchObject({ status: 'completed', percent: 100, error: null });
    // Handed back, not recovered as a stalled job after its lock lapsed, nor a failed attempt.
    const transcription = await transcribeBullJob(setup.config, jobId);
    expect(transcription.state).toBe('completed');
    expect(transcription.job?.stalledCounter).toBe(0);
    expect(transcription.job?.attemptsStarted).toBe(2);
    expect(transcription.job?.attemptsMade).toBe(1); // the run that completed: the hand-back is no attempt
    expect(suite.queueEvents.events.filter((entry) => entry.event === 'stalled' || entry.event === 'failed')).toEqual([]);
    const english = (await suite.store.jobs.listOutputs(jobId)).find((output) => output.name === 'everest-x2.en.srt')!;
    expect((await suite.store.storage.getBuffer(english.storageKey)).toString('utf8')).toMatch(/Everest/);
    console.log(
      `graceful shutdown: SIGTERM at transcribe ${running.stageProgress.transcribe}%, worker exited 0 after ${shutdownMs} ms, other worker started it ${takeoverMs} ms after the hand-back (lock: ${setup.config.worker.lockMs} ms)`,
    );
  }, 300_000);

  it('a chunked transcription handed back keeps its finished chunks: none is transcribed twice', async () => {
    const video = path.join(scratch, 'everest-x3.mp4');
    loopVideo(sample('es_everest.mp4'), video, 3); // ~115 s: about 6 chunks of 20 s
    const jobId = await submitJob(suite.store, video, { from: 'es', to: ['en'] });
    const workers = [first, second];
    const mine = (worker: WorkerProcess, message: string) => logLines(worker, message).filter((line) => line.jobId === jobId);
    // Some chunks done, and the worker to stop in the middle of one.
    const runner = await waitFor(
      'a worker in the middle of a chunk after two were done',
      async () => {
        const done = workers.flatMap((worker) => mine(worker, 'chunk transcribed')).length;
        if (done < 2) return undefined;
        return workers.find((worker) => mine(worker, 'transcribing a chunk').length > mine(worker, 'chunk transcribed').length);
      },
      240_000,
      50,
    );
    const finishedBefore = workers.flatMap((worker) => mine(worker, 'chunk transcribed')).map((line) => line.chunk);
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toEqual({ code: 0, signal: null });
    // Every chunk it had started and not finished when it stopped was handed back (a chunk may
    // still have finished between the check above and the signal: then there is none to hand).
    const handedBack = mine(runner, 'handed a running job back to the queue');
    const unfinished = mine(runner, 'transcribing a chunk').length - mine(runner, 'chunk transcribed').length;
    expect(handedBack.length).toBe(unfinished);

    const job = await waitForJobEnd(suite.store, jobId, 300_000);
    expect(job).toMatchObject({ status: 'completed', percent: 100, error: null });
    const count = Number(mine(first, 'transcription split into chunks')[0]?.chunks ?? mine(second, 'transcription split into chunks')[0]?.chunks);
    const transcribed = workers.flatMap((worker) => mine(worker, 'chunk transcribed')).map((line) => Number(line.chunk));
    const started = workers.flatMap((worker) => mine(worker, 'transcribing a chunk')).map((line) => Number(line.chunk));
    // Every chunk was transcribed exactly once; the only runs started twice are the handed-back ones.
    expect(transcribed.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, index) => index));
    expect(started.length).toBe(count + handedBack.length);
    expect(suite.queueEvents.events.filter((entry) => entry.event === 'stalled' || entry.event === 'failed')).toEqual([]);
    const english = (await suite.store.jobs.listOutputs(jobId)).find((output) => output.name === 'everest-x3.en.srt')!;
    expect((await suite.store.storage.getBuffer(english.storageKey)).toString('utf8')).toMatch(/Everest/);
    console.log(
      `graceful shutdown (chunked): ${count} chunks, SIGTERM after chunks [${finishedBefore.join(', ')}] were done, ${handedBack.length} chunk(s) handed back, ${started.length} chunk runs in all`,
    );
  }, 600_000);
});
