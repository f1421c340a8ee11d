import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { glossTranslation, writeTinyNllb } from '../../packages/ml/src/testing/tiny-text-models';
import { repoRoot } from '../support/paths';

/**
 * NLLB and Marian must not block the worker's event loop (which renews BullMQ locks), as Whisper
 * must not (inference-lock.test.ts). A tiny NLLB whose every decoder step does real CPU work
 * (matrix products that leave the output unchanged) translates the same lines twice: in the
 * worker's text-model thread and on the calling thread. On the calling thread the loop is
 * blocked for about one decoder step at a time; with the thread it stays responsive. The
 * comparison is relative (a fraction of the in-process block), so a faster or busier machine
 * changes both sides alike.
 */
type Run = { output: string[]; ms: number; maxBlockedMs: number };
type ProbeResult = {
  thread: Run;
  inProcess: Run;
  progress: number[];
  errors: Record<'unknownLanguage' | 'missingModel', string>;
  canceled: { code: string; preAborted: string; afterwards: string[] };
};

describe('text models off the main thread', () => {
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-busy-models-'));
  const texts = ['Hello world.', 'The cat sleeps here today.'];
  let result: ProbeResult;

  beforeAll(async () => {
    writeTinyNllb(modelsDir, 'Tests/busy-nllb', { busy: { size: 1024, matmuls: 24 } });
    const { stdout } = await promisify(execFile)(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      ['--conditions=development', 'tests/support/text-model-thread-probe.ts', modelsDir, 'Tests/busy-nllb', ...texts],
      { cwd: repoRoot, timeout: 170_000 },
    );
    result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ProbeResult;
  });
  afterAll(() => fs.rmSync(modelsDir, { recursive: true, force: true }));

  it('a busy NLLB blocks the event loop when run in-process and not when run in the text-model thread', () => {
    console.log(`busy tiny NLLB: thread ${result.thread.ms} ms (loop blocked ≤ ${result.thread.maxBlockedMs} ms), in-process ${result.inProcess.ms} ms (loop blocked ≤ ${result.inProcess.maxBlockedMs} ms)`);

    const expected = texts.map((text) => glossTranslation(text, 'es'));
    expect(result.thread.output).toEqual(expected);
    expect(result.inProcess.output).toEqual(expected);
    // The model is busy enough for the comparison to mean something...
    expect(result.inProcess.maxBlockedMs).toBeGreaterThan(100);
    // ...and the thread keeps the loop free of it.
    expect(result.thread.maxBlockedMs).toBeLessThan(result.inProcess.maxBlockedMs / 4);
  });

  it('the thread reports progress per batch and sends errors back as AppErrors with their codes', () => {
    expect(result.progress).toEqual([80, 100]); // 10 lines: batches of 8 and 2
    expect(result.errors).toEqual({ unknownLanguage: 'AppError:TRANSLATION_FAILED', missingModel: 'AppError:MODEL_UNAVAILABLE' });
  });

  it('a canceled request is CANCELED (the thread is told to stop it) and the thread goes on serving', () => {
    expect(result.canceled).toEqual({ code: 'AppError:CANCELED', preAborted: 'AppError:CANCELED', afterwards: texts.map((text) => glossTranslation(text, 'es')) });
  });
});
