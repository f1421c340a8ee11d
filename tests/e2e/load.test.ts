import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';

/** Bounded load on the real API (no worker, so jobs only queue): every request must succeed. */
describe('bounded load', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', worker: false });
  });
  afterAll(() => stack?.stop());

  it('serves 20 concurrent uploads and 100 concurrent status reads without an error', async () => {
    const uploads = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'), { filename: `talk-${i}.mp4` }),
      ),
    );
    expect(uploads.map((response) => response.status)).toEqual(Array(20).fill(202));
    const ids = uploads.map((response) => response.body.job.id as string);
    expect(new Set(ids).size).toBe(20);

    const reads = await Promise.all(Array.from({ length: 100 }, (_, i) => stack.http().get(`/v1/jobs/${ids[i % ids.length]}`)));
    expect(reads.map((response) => response.status)).toEqual(Array(100).fill(200));
    expect(reads.every((response, i) => response.body.job.id === ids[i % ids.length])).toBe(true);
    const listed = await stack.http().get('/v1/jobs?status=queued&limit=100');
    expect(listed.body.jobs).toHaveLength(20);
  });
});
