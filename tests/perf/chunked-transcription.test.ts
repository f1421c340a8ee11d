import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { wordErrorRate, type Transcript } from '@babelfish/core';
import { bullJobId, createRedisConnection, QueueName } from '@babelfish/queue';
import { storageKeys } from '@babelfish/storage';
import { sample } from '../support/paths';
import { loopVideo, obliterateQueues, openJobStore, reliabilityEnv, submitJob, waitForJobEnd, type JobStore } from '../support/reliability';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/**
 * A recording longer than TRANSCRIBE_SPLIT_SECONDS is cut at pauses into chunks that run as
 * child jobs of a merge job on the transcribe queue (real worker processes, real Redis); the
 * merged transcript runs continuously to the end with every sentence once, and the job goes on
 * to translate and mux as usual. Two workers share the chunks.
 */
describe('chunk-parallel transcription of a long recording', () => {
  const setup = reliabilityEnv({ TRANSCRIBE_SPLIT_SECONDS: '60', TRANSCRIBE_CHUNK_SECONDS: '50' });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-chunks-'));
  let store: JobStore;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    store = await openJobStore(setup.config);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await store?.close();
    await obliterateQueues(setup.config);
    setup.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('splits 154 s of Spanish into 3 chunks, transcribes them on two workers and merges them without losing or repeating words', async () => {
    const video = path.join(scratch, 'everest-x4.mp4');
    loopVideo(sample('es_everest.mp4'), video, 4);
    workers.push(...(await Promise.all([1, 2].map(() => spawnWorker(setup.env, 90_000, { direct: true })))));
    const jobId = await submitJob(store, video, { to: ['en'] }); // language detected, then chunks
    const job = await waitForJobEnd(store, jobId, 170_000);
    expect(job).toMatchObject({ status: 'completed', sourceLanguage: 'es', detectedLanguage: 'es', error: null });

    const connection = createRedisConnection(setup.config.redisUrl, 'babelfish-test-chunks');
    const queue = new Queue(QueueName.Transcribe, { connection, prefix: setup.config.queuePrefix });
    try {
      const first = await Job.fromId(queue, bullJobId.transcribe(jobId, 1));
      expect(first?.returnvalue).toEqual({ chunks: 3 });
      const chunks = await Promise.all([0, 1, 2].map((i) => Job.fromId(queue, bullJobId.transcribeChunk(jobId, 1, i))));
      for (const chunk of chunks) expect(await chunk?.getState()).toBe('completed');
      const merge = await Job.fromId(queue, bullJobId.transcribeMerge(jobId, 1));
      expect(await merge?.getState()).toBe('completed');
      // The merge ran after the last chunk.
      expect(merge!.processedOn!).toBeGreaterThanOrEqual(Math.max(...chunks.map((chunk) => chunk!.finishedOn!)));
    } finally {
      await queue.close();
      connection.disconnect();
    }

    const transcript = JSON.parse((await store.storage.getBuffer(storageKeys.transcript(jobId))).toString('utf8')) as Transcript;
    const reference = Array.from({ length: 4 }, () => fs.readFileSync(sample('es_everest.txt'), 'utf8').trim()).join(' ');
    const text = transcript.segments.map((segment) => segment.text).join(' ');
    expect(wordErrorRate(reference, text)).toBeLessThanOrEqual(0.15);
    expect(text.match(/Everest/g)).toHaveLength(4);
    expect(text.match(/determinación/g)).toHaveLength(4);
    for (const [i, segment] of transcript.segments.entries()) {
      if (i > 0) expect(segment.start).toBeGreaterThanOrEqual(transcript.segments[i - 1]!.end);
    }
    expect(transcript.segments.at(-1)!.end).toBeGreaterThan(150);
    // Chunk audio is removed once merged; the job's outputs are all there.
    expect(await store.storage.stat(`${storageKeys.jobPrefix(jobId)}/chunks/1/audio/0.wav`)).toBeUndefined();
    const outputs = (await store.jobs.listOutputs(jobId)).map((output) => output.name);
    expect(outputs).toEqual(expect.arrayContaining(['everest-x4.en.srt', 'everest-x4.es.srt', 'everest-x4.subtitled.mp4']));
  });
});
