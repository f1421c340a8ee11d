import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modelsDir, repoRoot, sample } from '../support/paths';
import { startStack, type Stack, submitAndComplete } from '../support/stack';
import { watchJob } from '../support/socket';

/**
 * The input policy on the real stack: uploads that are scripts referring to other files
 * (HLS playlists, concat scripts), images, text, and files with hundreds of streams are refused
 * at submission, and nothing another owner stored leaks into the refused request.
 */
describe('input policy (SQLite, worker running)', () => {
  let stack: Stack;
  let aliceKey = '';
  let bobKey = '';
  let aliceJob = '';
  /** Absolute path of one of Alice's stored outputs, as the attacker would guess it. */
  let aliceOutput = '';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-input-policy-'));
  const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);

  beforeAll(async () => {
    // The worker is set up looser than the API: a job it probes is still held to the API's limits.
    stack = await startStack({ database: 'sqlite', env: { MAX_DURATION_SECONDS: '20', MAX_MEDIA_STREAMS: '32' }, workerEnv: { MAX_DURATION_SECONDS: '14400', MAX_MEDIA_STREAMS: '64' } });
    aliceKey = await stack.createApiKey('alice');
    bobKey = await stack.createApiKey('bob');
    aliceJob = await submitAndComplete(stack, aliceKey, sample('jfk.mp4'), { to: 'es', from: 'en' });
    const outputs = path.join(stack.config.storage.dir, 'jobs', aliceJob, 'outputs');
    aliceOutput = path.join(outputs, fs.readdirSync(outputs).find((name) => name.endsWith('.subtitled.mp4'))!);
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  function writeScratch(name: string, data: string | Buffer): string {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, data);
    return file;
  }

  const bob = () => stack.http(bobKey);
  const submitAsBob = (file: string) => bob().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', file);
  /** Accepted at once (202, the probe left to the job), then watched to its end. */
  async function submitAsBobToEnd(file: string) {
    const response = await submitAsBob(file);
    expect(response.status).toBe(202);
    const watch = await watchJob(stack.api.url, response.body.job.id, { apiKey: bobKey });
    const last = await watch.finished;
    watch.close();
    return { response, last };
  }
  const hlsPlaylist = (segment: string) => `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${segment}\n#EXT-X-ENDLIST\n`;

  function expectPlainRefusal(response: { status: number; body: { error: { code: string; message: string } } }, reason: RegExp): void {
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA');
    expect(response.body.error.message).toMatch(reason);
    // The message is for people: no server path, no tool output.
    expect(response.body.error.message).not.toMatch(/\/tmp|\/work|ffprobe|ffmpeg|whitelist|0x[0-9a-f]/);
    expect(response.body.error.message).not.toContain(stack.dataDir);
  }

  it("refuses an HLS playlist named .mp4 pointing at another owner's stored output, and B sees nothing of A's", async () => {
    expect(fs.existsSync(aliceOutput)).toBe(true);
    const response = await submitAsBob(writeScratch('holiday.mp4', hlsPlaylist(aliceOutput)));
    expectPlainRefusal(response, /playlists \(HLS \.m3u8\) are not accepted; upload the video file itself/);
    expect((await bob().get('/v1/jobs')).body.jobs).toEqual([]);
    // No job was made from it: storage still holds Alice's job only.
    expect(fs.readdirSync(path.join(stack.config.storage.dir, 'jobs'))).toEqual([aliceJob]);
    expect((await bob().get(`/v1/jobs/${aliceJob}/outputs`)).status).toBe(404);
  });

  it('refuses a playlist that declares EXTINF:1 for a file longer than the duration limit', async () => {
    const long = path.join(scratch, 'long.mp4');
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=40', '-f', 'lavfi', '-i', 'color=s=64x64:d=40', '-shortest', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', long);
    // Submitted itself, the file is over the 20 s limit.
    expect((await submitAsBob(long)).status).toBe(413);
    const response = await submitAsBob(writeScratch('short.mp4', hlsPlaylist(long)));
    expectPlainRefusal(response, /playlists \(HLS \.m3u8\)/);
  });

  it('refuses a concat script (ffconcat) naming an absolute path', async () => {
    const response = await submitAsBob(writeScratch('concat.mp4', `ffconcat version 1.0\nfile '${aliceOutput}'\n`));
    expectPlainRefusal(response, /concat scripts \(ffconcat\) are not accepted/);
  });

  it('refuses a text file and PNG, JPEG and BMP images with 415', async () => {
    expectPlainRefusal(await submitAsBob(writeScratch('notes.mp4', 'minutes of the meeting\n'.repeat(40))), /text files are not accepted/);
    // BMP is not among the sniffed signatures: its refusal comes from ffprobe's format whitelist.
    for (const extension of ['png', 'jpg', 'bmp']) {
      const image = path.join(scratch, `cover.${extension}`);
      ffmpeg('-f', 'lavfi', '-i', 'color=c=green:s=64x64', '-frames:v', '1', image);
      expectPlainRefusal(await submitAsBob(image), /still images are not accepted/);
    }
  });

  it('fails the job of a short MKV with 200 audio streams in its first step (the probe), before any transcription or mux', async () => {
    // A well-formed MKV is answered before ffprobe counts its streams; the job's probe does.
    const many = path.join(scratch, 'many-streams.mkv');
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=0.5:r=8000', ...Array.from({ length: 200 }, () => ['-map', '0:a']).flat(), '-c:a', 'pcm_s16le', many);
    const { response, last } = await submitAsBobToEnd(many);
    // 32: the API's limit, recorded with the job, not the worker's 64.
    expect(last).toMatchObject({ status: 'failed', error: 'The file has 200 streams; at most 32 are accepted' });
    expect(response.body.job.options.inputLimits).toEqual({ maxDurationSeconds: 20, maxMediaStreams: 32 });
    const stored = path.join(stack.config.storage.dir, 'jobs', response.body.job.id);
    expect(fs.readdirSync(stored)).toEqual(['input']);
    // Another owner's job list shows nothing of it.
    expect((await stack.http(aliceKey).get('/v1/jobs')).body.jobs.map((job: { id: string }) => job.id)).not.toContain(response.body.job.id);
  });

  it("fails the job of a 40 s MKV in its probe by the API's 20 s limit, though the worker's own allows 4 hours", async () => {
    // Matroska's duration is not looked at before answering: the job's probe finds it.
    const long = path.join(scratch, 'long-audio.mkv');
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=40:r=8000', '-c:a', 'pcm_s16le', long);
    const { response, last } = await submitAsBobToEnd(long);
    expect(last).toMatchObject({ status: 'failed', error: 'The video lasts 40 s; the limit is 20 s' });
    expect(fs.readdirSync(path.join(stack.config.storage.dir, 'jobs', response.body.job.id))).toEqual(['input']);
  });
});

describe('input policy in the CLI (in-process, no Redis)', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-input-policy-cli-'));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const translate = (file: string) =>
    spawnSync(path.join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=development', 'apps/cli/src/main.ts', 'translate', file, '--to', 'es', '--from', 'en', '--out', path.join(scratch, 'out')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: path.join(scratch, 'data'), MODELS_DIR: modelsDir, ALLOW_REMOTE_MODELS: 'false', REDIS_URL: 'redis://127.0.0.1:1', MAX_MEDIA_STREAMS: '32' },
      timeout: 120_000,
    });

  it('refuses a playlist and a 200-stream file with the same reasons as the API, writing nothing', () => {
    const playlist = path.join(scratch, 'playlist.mp4');
    fs.writeFileSync(playlist, `#EXTM3U\n#EXTINF:1,\n${sample('jfk.mp4')}\n#EXT-X-ENDLIST\n`);
    const refused = translate(playlist);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/UNSUPPORTED_MEDIA: .*playlists \(HLS \.m3u8\) are not accepted/);

    const many = path.join(scratch, 'many.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=d=0.5:r=8000', ...Array.from({ length: 200 }, () => ['-map', '0:a']).flat(), '-c:a', 'pcm_s16le', many]);
    const tooMany = translate(many);
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toMatch(/The file has 200 streams; at most 32 are accepted/);
    expect(fs.existsSync(path.join(scratch, 'out'))).toBe(false);
  });
});
