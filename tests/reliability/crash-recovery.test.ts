import type { ProgressEvent } from '@babelfish/core';
import { createRedisConnection, subscribeToProgress } from '@babelfish/queue';
import { storageKeys } from '@babelfish/storage';
import { sample } from '../support/paths';
import { submitJob, transcribeBullJob, useReliabilitySuite, waitForJobEnd } from '../support/reliability';
import type { WorkerProcess } from '../support/worker-process';

/**
 * A worker killed with SIGKILL in the middle of a transcription (OOM killer, node lost): the job
 * is re-queued by BullMQ's stalled-job check in a new worker process once the dead worker's lock
 * lapses, runs again from the top and completes with the right outputs; the job row ends
 * 'completed' (never stuck in 'processing', never 'failed'). A job that kills its worker twice
 * is failed with a readable reason rather than left 'processing' or retried forever.
 */
describe('crash recovery: worker SIGKILLed mid-transcription', () => {
  // Short lock and stalled check, so recovery takes seconds rather than minutes.
  const suite = useReliabilitySuite({ WORKER_LOCK_MS: '3000', WORKER_STALLED_INTERVAL_MS: '1000' });
  const { setup, startWorker, workers } = suite;

  /**
   * Arms a SIGKILL for `worker` at Whisper's first progress report on the job (the first
   * "Transcribing" event), i.e. mid-inference; resolves once the worker is dead.
   */
  async function killWhenTranscribing(worker: WorkerProcess, jobId: () => string): Promise<{ killed: Promise<ProgressEvent> }> {
    const subscriber = createRedisConnection(setup.config.redisUrl, 'babelfish-test-progress');
    let unsubscribe: () => Promise<void> = async () => undefined;
    const transcribing = new Promise<ProgressEvent>((resolve) => {
      void subscribeToProgress(subscriber, setup.config.queuePrefix, (event) => {
        if (event.jobId === jobId() && event.stage === 'transcribe' && event.message === 'Transcribing') resolve(event);
      }).then((stop) => (unsubscribe = stop));
    });
    await new Promise((resolve) => setTimeout(resolve, 100)); // SUBSCRIBE sent before any publish
    const killed = transcribing.then(async (event) => {
      worker.child.kill('SIGKILL');
      expect(await worker.exited).toEqual({ code: null, signal: 'SIGKILL' });
      await unsubscribe();
      subscriber.disconnect();
      return event;
    });
    return { killed };
  }

  it('re-runs the job in a new worker and completes it with correct Spanish subtitles', async () => {
    const first = await startWorker();
    let jobId = '';
    const { killed } = await killWhenTranscribing(first, () => jobId);
    jobId = await submitJob(suite.store, sample('jfk.mp4'), { from: 'en', to: ['es'] });
    await killed;
    const killedAt = Date.now();

    // It really died mid-transcription: the BullMQ job is still active and no transcript exists.
    expect((await transcribeBullJob(setup.config, jobId)).state).toBe('active');
    expect(await suite.store.storage.stat(storageKeys.transcript(jobId))).toBeUndefined();
    expect((await suite.store.jobs.get(jobId))?.status).toBe('processing');

    await startWorker();
    const statuses = new Set<string>();
    const job = await waitForJobEnd(suite.store, jobId, 120_000, statuses);
    const recoveredInMs = Date.now() - killedAt;

    expect(job).toMatchObject({ status: 'completed', percent: 100, error: null, sourceLanguage: 'en' });
    expect(statuses.has('failed')).toBe(false);
    // Recovered through the stalled-job path (not a retry after an error), exactly once.
    const mine = suite.queueEvents.events.filter((entry) => entry.jobId.includes(jobId));
    expect(mine.filter((entry) => entry.event === 'stalled')).toEqual([{ queue: 'transcribe', event: 'stalled', jobId: `transcribe-${jobId}-1` }]);
    expect(mine.filter((entry) => entry.event === 'failed')).toEqual([]);
    const { job: bullJob, state } = await transcribeBullJob(setup.config, jobId);
    expect(state).toBe('completed');
    expect(bullJob?.stalledCounter).toBe(1);
    expect(bullJob?.attemptsStarted).toBe(2);

    const outputs = await suite.store.jobs.listOutputs(jobId);
    expect(outputs.map((output) => output.name)).toEqual(
      expect.arrayContaining(['jfk.en.srt', 'jfk.es.srt', 'jfk.es.vtt', 'jfk.subtitled.mkv', 'jfk.subtitled.mp4']),
    );
    expect(new Set(outputs.map((output) => output.name)).size).toBe(outputs.length); // one set, not two runs' worth
    const spanish = outputs.find((output) => output.name === 'jfk.es.srt')!;
    expect((await suite.store.storage.getBuffer(spanish.storageKey)).toString('utf8')).toContain('país');
    console.log(`crash recovery: job completed ${recoveredInMs} ms after the SIGKILL (new worker start-up included)`);
  });

  it('fails a job that kills its worker twice, with a readable reason, instead of leaving it processing', async () => {
    // Two workers from the previous test may still be up; only the ones started here are in play.
    for (const worker of workers) await worker.stop('SIGKILL');
    let jobId = '';
    const first = await startWorker();
    const firstKill = await killWhenTranscribing(first, () => jobId);
    // Not jfk.mp4 again: the previous test's completed job would lend it its transcript (same
    // bytes), and a reused transcript never reaches "Transcribing".
    jobId = await submitJob(suite.store, sample('es_everest.mp4'), { from: 'es', to: ['en'] });
    await firstKill.killed;

    const second = await startWorker();
    const secondKill = await killWhenTranscribing(second, () => jobId);
    await secondKill.killed; // it picked the job up again (stalled once) and died again

    await startWorker();
    const job = await waitForJobEnd(suite.store, jobId, 60_000);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/transcribe step was interrupted too many times/);
    const { state } = await transcribeBullJob(setup.config, jobId);
    expect(state).toBe('failed');
  });
});
