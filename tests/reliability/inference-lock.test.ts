import path from 'node:path';
import { parseSrt } from '@babelfish/media';
import { sample } from '../support/paths';
import { loopVideo, submitJob, transcribeBullJob, useReliabilitySuite, waitForJobEnd } from '../support/reliability';

/**
 * Whisper must not starve BullMQ's lock renewal. With a 4 s lock (renewed every 2 s) and a
 * stalled check every second, transcriptions many times longer than the lock must each run once,
 * without a single 'stalled' event, while two worker processes share this host's CPU (as two
 * replicas on one node do). When Whisper ran on the worker's main thread, each ONNX run blocked
 * the event loop for up to ~2 s alone and ~5-7 s with the CPU shared, so locks lapsed and jobs
 * were taken as stalled and run twice; the worker now runs Whisper in a worker_thread.
 */
describe('long transcriptions with a short job lock', () => {
  const lockMs = 4000;
  // Workers are stopped with SIGTERM afterwards: idle by then, they exit cleanly.
  const suite = useReliabilitySuite({ WORKER_LOCK_MS: String(lockMs), WORKER_STALLED_INTERVAL_MS: '1000' }, { stopWith: 'SIGTERM' });
  const { setup, scratch, startWorker, workers } = suite;

  it('transcribes 3 minutes of speech on each of two busy workers, once, with no stalled job', async () => {
    const video = path.join(scratch, 'everest-x5.mp4');
    loopVideo(sample('es_everest.mp4'), video, 5); // 192 s of Spanish speech
    await Promise.all([1, 2].map(() => startWorker(90_000)));
    // One with language detection (no source given), one with the source given.
    const jobIds = [await submitJob(suite.store, video, { to: ['en'] }), await submitJob(suite.store, video, { from: 'es', to: ['en'] })];

    const jobs = await Promise.all(jobIds.map((jobId) => waitForJobEnd(suite.store, jobId, 170_000)));
    for (const job of jobs) expect(job).toMatchObject({ status: 'completed', sourceLanguage: 'es', error: null });
    expect(jobs[0]?.detectedLanguage).toBe('es');

    // No job lock lapsed: not one 'stalled' event on any queue, nothing failed.
    expect(suite.queueEvents.events.filter((entry) => entry.event === 'stalled')).toEqual([]);
    expect(suite.queueEvents.events.filter((entry) => entry.event === 'failed')).toEqual([]);

    for (const worker of workers) {
      const lines = worker.output().split('\n');
      expect(lines.filter((line) => line.includes('job stalled'))).toEqual([]);
      // The worker's own watchdog: its event loop was never blocked for over a second.
      expect(lines.filter((line) => line.includes('event loop blocked'))).toEqual([]);
    }

    const timings: number[] = [];
    const spans: { from: number; to: number }[] = [];
    for (const jobId of jobIds) {
      const { job: transcription, state } = await transcribeBullJob(setup.config, jobId);
      expect(state).toBe('completed');
      const transcribeMs = (transcription?.finishedOn ?? 0) - (transcription?.processedOn ?? 0);
      timings.push(transcribeMs);
      spans.push({ from: transcription?.processedOn ?? 0, to: transcription?.finishedOn ?? 0 });
      // The lock would have lapsed many times over had it not been renewed throughout.
      expect(transcribeMs).toBeGreaterThan(4 * lockMs);
      expect(transcription?.attemptsStarted).toBe(1);
      expect(transcription?.stalledCounter).toBe(0);
    }
    // The two workers transcribed at the same time, competing for the CPU.
    expect(spans[0]!.from < spans[1]!.to && spans[1]!.from < spans[0]!.to).toBe(true);
    for (const jobId of jobIds) {
      const english = (await suite.store.jobs.listOutputs(jobId)).find((output) => output.name === 'everest-x5.en.srt')!;
      const cues = parseSrt((await suite.store.storage.getBuffer(english.storageKey)).toString('utf8'));
      expect(cues.at(-1)!.end).toBeGreaterThan(180); // subtitles run to the end of the 192 s
      expect(cues.filter((cue) => /Everest/.test(cue.text)).length).toBeGreaterThanOrEqual(5);
    }
    console.log(`long transcriptions: transcribe stages of ${timings.join(' and ')} ms under a ${lockMs} ms lock, no stall`);
  });
});
