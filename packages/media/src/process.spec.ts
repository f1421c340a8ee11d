import { AppError } from '@babelfish/core';
import { parseProgressLine, runFfmpeg, runFfprobeJson } from './process';

describe('runFfmpeg', () => {
  it('reports progress in seconds, reaching the given duration', async () => {
    const seen: number[] = [];
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=d=2', '-f', 'null', '-'], {
      durationSeconds: 2,
      onProgress: (seconds) => seen.push(seconds),
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('throws MEDIA_PROCESSING_FAILED with the end of stderr', async () => {
    const error = await runFfmpeg(['-i', '/nonexistent/input file.mp4', '-f', 'null', '-']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MEDIA_PROCESSING_FAILED');
    expect((error as AppError).message).toMatch(/ffmpeg exited with code \d+: .*No such file or directory/);
  });

  it('names the binary when it cannot be found', async () => {
    const error = await runFfmpeg(['-version'], { ffmpegPath: '/nonexistent/ffmpeg' }).catch((caught: unknown) => caught);
    expect((error as AppError).code).toBe('MEDIA_PROCESSING_FAILED');
    expect((error as AppError).message).toContain('/nonexistent/ffmpeg');
  });

  it('stops ffmpeg when aborted', async () => {
    const controller = new AbortController();
    const run = runFfmpeg(['-re', '-f', 'lavfi', '-i', 'sine=d=30', '-f', 'null', '-'], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by user')), 200);
    await expect(run).rejects.toThrow('cancelled by user');
  });

  it('parses out_time_us and out_time_ms (both microseconds) and ignores N/A', () => {
    expect(parseProgressLine('out_time_us=1500000')).toBe(1.5);
    expect(parseProgressLine('out_time_ms=2500000')).toBe(2.5);
    expect(parseProgressLine('out_time_us=N/A')).toBeUndefined();
    expect(parseProgressLine('progress=end')).toBeUndefined();
  });
});

describe('runFfprobeJson', () => {
  it('returns the parsed document', async () => {
    const doc = await runFfprobeJson<{ format: { format_name: string } }>(['-show_format', '/work/shared/samples/jfk.wav']);
    expect(doc.format.format_name).toBe('wav');
  });
});
