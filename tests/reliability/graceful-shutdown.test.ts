import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sample } from '../support/paths';
import {
  loopVideo,
  obliterateQueues,
  openJobStore,
  recordQueueEvents,
  reliabilityEnv,
  submitJob,
  transcribeBullJob,
  waitFor,
  waitForJobEnd,
  type JobStore,
  type QueueEventLog,
  type ReliabilityEnv,
} from '../support/reliability';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/**
 * SIGTERM (docker stop, a rolling deploy) while a worker is transcribing: it takes no new work,
 * finishes the transcription it is running, exits 0, and what is left of the job (translate,
 * mux) is done by the next worker. Nothing runs twice and nothing waits for a lock to lapse.
 */
describe('graceful shutdown: SIGTERM mid-transcription', () => {
  // The default lock (120 s): had the job been abandoned, no other worker could take it in time.
  const setup: ReliabilityEnv = reliabilityEnv();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-shutdown-'));
  let store: JobStore;
  let queueEvents: QueueEventLog;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    store = await openJobStore(setup.config);
    queueEvents = await recordQueueEvents(setup.config);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await queueEvents?.close();
    await store?.close();
    await obliterateQueues(setup.config);
    setup.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('finishes the running transcription, exits 0, and the job completes on the next worker', async () => {
    const video = path.join(scratch, 'everest-x3.mp4');
    loopVideo(sample('es_everest.mp4'), video, 3); // ~115 s of Spanish speech: ~15 s of Whisper
    const first = await spawnWorker(setup.env, 60_000, { direct: true });
    workers.push(first);
    const jobId = await submitJob(store, video, { from: 'es', to: ['en'] });

    // Well into Whisper, with most of the transcription still to do.
    const running = await waitFor(
      'Whisper to be under way',
      async () => {
        const job = await store.jobs.get(jobId);
        return job && (job.stageProgress.transcribe ?? 0) >= 20 ? job : undefined;
      },
      60_000,
      50,
    );
    expect((running.stageProgress.transcribe ?? 0)).toBeLessThan(60);
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    const shutdownMs = Date.now() - signalledAt;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('"message":"shutting down: finishing running jobs"');
    expect(first.output()).toContain('"message":"worker stopped"');
    // It finished the transcription it had started before leaving, once.
    const transcription = await transcribeBullJob(setup.config, jobId);
    expect(transcription.state).toBe('completed');
    expect(transcription.job?.attemptsStarted).toBe(1);
    expect(transcription.job?.stalledCounter).toBe(0);
    expect((await store.jobs.get(jobId))?.stageProgress.transcribe).toBe(100);

    const second = await spawnWorker(setup.env, 60_000, { direct: true });
    workers.push(second);
    const job = await waitForJobEnd(store, jobId, 120_000);
    expect(job).toMatchObject({ status: 'completed', percent: 100, error: null });
    expect(queueEvents.events.filter((entry) => entry.event === 'stalled' || entry.event === 'failed')).toEqual([]);
    const english = (await store.jobs.listOutputs(jobId)).find((output) => output.name === 'everest-x3.en.srt')!;
    expect((await store.storage.getBuffer(english.storageKey)).toString('utf8')).toMatch(/Everest/);
    console.log(`graceful shutdown: SIGTERM at transcribe ${running.stageProgress.transcribe}%, worker exited 0 after ${shutdownMs} ms`);
  });
});
