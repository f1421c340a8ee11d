import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sample } from '../support/paths';
import {
  openJobStore,
  reliabilityEnv,
  startPrivateRedis,
  submitJob,
  waitForJobEnd,
  type JobStore,
  type PrivateRedis,
  type ReliabilityEnv,
} from '../support/reliability';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/**
 * Redis restarts (crash, kill -9, host reboot) while jobs wait in the queue and no worker is up:
 * with append-only persistence no job is lost, and the job rows and queue agree afterwards.
 * The shared Redis on 6379 serves other tests, so each case runs its own redis-server.
 */
describe('Redis restart while jobs wait', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-redis-'));
  const cleanups: (() => Promise<void> | void)[] = [];

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  async function setUp(name: string, settings: string[]): Promise<{ redis: PrivateRedis; setup: ReliabilityEnv; store: JobStore }> {
    const dir = path.join(scratch, name);
    fs.mkdirSync(dir);
    const redis = await startPrivateRedis(dir, settings);
    cleanups.push(() => redis.stop());
    const setup = reliabilityEnv({ REDIS_URL: redis.url });
    cleanups.push(setup.cleanup);
    const store = await openJobStore(setup.config);
    cleanups.push(() => store.close());
    return { redis, setup, store };
  }

  it('with AOF (appendfsync always), kill -9 loses no queued job and every job completes', async () => {
    const { redis, setup, store } = await setUp('aof', ['--appendonly', 'yes', '--appendfsync', 'always']);
    const jobIds = [
      await submitJob(store, sample('jfk.mp4'), { from: 'en', to: ['es'] }),
      await submitJob(store, sample('es_everest.mp4'), { from: 'es', to: ['en'] }),
      await submitJob(store, sample('jfk.mp4'), { to: ['es'] }),
    ];
    // Every job carries a priority (JobPriority), so waiting work is in BullMQ's prioritized set.
    expect(await store.queues.queues.transcribe.getJobCountByTypes('waiting', 'prioritized')).toBe(3);

    await redis.kill('SIGKILL'); // no shutdown save, no final fsync: only what the AOF already holds
    await redis.start();
    // The producer's connection came back by itself, and the three jobs are still there.
    expect(await store.queues.queues.transcribe.getJobCountByTypes('waiting', 'prioritized')).toBe(3);
    // And new work is accepted after the restart.
    jobIds.push(await submitJob(store, sample('jfk.mp4'), { from: 'en', to: ['es'] }));

    const worker: WorkerProcess = await spawnWorker(setup.env, 60_000, { direct: true });
    cleanups.push(() => worker.stop().then(() => undefined));
    const jobs = await Promise.all(jobIds.map((jobId) => waitForJobEnd(store, jobId, 150_000)));
    for (const job of jobs) expect(job).toMatchObject({ status: 'completed', percent: 100, error: null });
    expect(jobs[2]?.detectedLanguage).toBe('en');
    for (const jobId of [jobIds[0]!, jobIds[2]!, jobIds[3]!]) {
      const spanish = (await store.jobs.listOutputs(jobId)).find((output) => output.name === 'jfk.es.srt')!;
      expect((await store.storage.getBuffer(spanish.storageKey)).toString('utf8')).toContain('país');
    }
    expect(await store.queues.depth()).toEqual({ transcribe: 0, translate: 0, mux: 0 }); // nothing left waiting
    expect(await store.queues.queues.transcribe.getCompletedCount()).toBe(4);

    // Once more with the worker up and idle (blocked waiting for work): it rides out the outage,
    // reconnects, and takes the next job.
    await redis.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.start();
    const afterOutage = await submitJob(store, sample('jfk.mp4'), { from: 'en', to: ['es'] });
    expect(await waitForJobEnd(store, afterOutage, 90_000)).toMatchObject({ status: 'completed', error: null });
    expect(worker.child.exitCode).toBeNull();
  });

  it('without persistence the same restart silently drops the queue (why production needs AOF)', async () => {
    const { redis, store } = await setUp('none', ['--appendonly', 'no']);
    const jobId = await submitJob(store, sample('jfk.mp4'), { from: 'en', to: ['es'] });
    expect(await store.queues.queues.transcribe.getJobCountByTypes('waiting', 'prioritized')).toBe(1);

    await redis.kill('SIGKILL');
    await redis.start();
    expect(await store.queues.queues.transcribe.getJobCountByTypes('waiting', 'prioritized')).toBe(0);
    // The job row still says queued: nothing will ever run it. AOF is what prevents this.
    expect((await store.jobs.get(jobId))?.status).toBe('queued');
  });
});
