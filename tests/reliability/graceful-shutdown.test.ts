import path from 'node:path';
import { sample } from '../support/paths';
import { loopVideo, submitJob, transcribeBullJob, useReliabilitySuite, waitFor, waitForJobEnd } from '../support/reliability';

/**
 * SIGTERM (docker stop, a rolling deploy) while a worker is transcribing: it takes no new work,
 * finishes the transcription it is running, exits 0, and what is left of the job (translate,
 * mux) is done by the next worker. Nothing runs twice and nothing waits for a lock to lapse.
 */
describe('graceful shutdown: SIGTERM mid-transcription', () => {
  // The default lock (120 s): had the job been abandoned, no other worker could take it in time.
  const suite = useReliabilitySuite();
  const { setup, scratch, startWorker } = suite;

  it('finishes the running transcription, exits 0, and the job completes on the next worker', async () => {
    const video = path.join(scratch, 'everest-x3.mp4');
    loopVideo(sample('es_everest.mp4'), video, 3); // ~115 s of Spanish speech: ~15 s of Whisper
    const first = await startWorker();
    const jobId = await submitJob(suite.store, video, { from: 'es', to: ['en'] });

    // Well into Whisper, with most of the transcription still to do.
    const running = await waitFor(
      'Whisper to be under way',
      async () => {
        const job = await suite.store.jobs.get(jobId);
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
    expect((await suite.store.jobs.get(jobId))?.stageProgress.transcribe).toBe(100);

    await startWorker();
    const job = await waitForJobEnd(suite.store, jobId, 120_000);
    expect(job).toMatchObject({ status: 'completed', percent: 100, error: null });
    expect(suite.queueEvents.events.filter((entry) => entry.event === 'stalled' || entry.event === 'failed')).toEqual([]);
    const english = (await suite.store.jobs.listOutputs(jobId)).find((output) => output.name === 'everest-x3.en.srt')!;
    expect((await suite.store.storage.getBuffer(english.storageKey)).toString('utf8')).toMatch(/Everest/);
    console.log(`graceful shutdown: SIGTERM at transcribe ${running.stageProgress.transcribe}%, worker exited 0 after ${shutdownMs} ms`);
  });
});
