import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arraySource } from './audio-source';
import { DEFAULT_SAFEGUARDS } from './decode-quality';
import { decodeSample, useOfflineModels } from './test-fixtures';
import { transcribeSource } from './transcriber';
import { decodeWindows } from './whisper-decoder';
import { decodeWithFallback } from './whisper-fallback';
import { loadWhisperRuntime, type WhisperRuntime } from './whisper-runtime';
import { collectYoungGeneration } from './young-collection';

/**
 * The decoder's memory levers of the fifth round (bench/README.md) change nothing in what it
 * produces (real whisper-base q8): the young-generation collection after each step
 * (`stepCollection`), which frees what is dead in the young generation, and the encoder states let
 * go of after the cross-attention cache and encoded again for a fallback (`encoderStates`).
 */
describe('decoder memory levers', () => {
  it('frees a dead ArrayBuffer at once, without leaving a global gc behind', () => {
    const external = () => process.memoryUsage().arrayBuffers;
    const before = external();
    const allocate = () => {
      const dead = new Float32Array(4 << 20); // 16 MB off the heap, owned by a young object
      dead[1] = 1;
      return dead.length;
    };
    expect(allocate()).toBe(4 << 20);
    expect(external() - before).toBeGreaterThanOrEqual(15 << 20);
    // Two scavenges: V8 may finish freeing the first one's array buffers on the next.
    expect(collectYoungGeneration()).toBe(true);
    collectYoungGeneration();
    expect(external() - before).toBeLessThan(1 << 20);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  describe('on whisper-base q8', () => {
    let runtime: WhisperRuntime;
    const withCollection = (stepCollection: 'young' | 'v8'): WhisperRuntime => ({ ...runtime, levers: { ...runtime.levers!, stepCollection } });
    const withStates = (encoderStates: 'release' | 'keep'): WhisperRuntime => ({ ...runtime, levers: { ...runtime.levers!, encoderStates } });

    beforeAll(async () => {
      useOfflineModels();
      runtime = await loadWhisperRuntime('Xenova/whisper-base', 'q8', { threads: 2 });
    }, 120_000);
    afterAll(() => runtime?.dispose());

    it('decodes a batch to the same tokens, times, log-probabilities and no-speech probabilities', async () => {
      const audio = decodeSample('es_everest.mp3');
      // Three windows of different lengths, so rows finish at different steps and leave the batch.
      const windows = await Promise.all(
        [audio.subarray(0, 30 * 16_000), audio.subarray(30 * 16_000), audio.subarray(12 * 16_000, 20 * 16_000)].map(async (samples) => ({
          features: await runtime.features(samples),
          frames: Math.ceil(samples.length / 320),
        })),
      );
      const { startOfTranscript, task } = runtime.vocabulary;
      const prompt = [startOfTranscript, runtime.tokenizer.tokenId('<|es|>')!, task.transcribe];
      const v8 = await decodeWindows(withCollection('v8'), windows, prompt);
      const young = await decodeWindows(withCollection('young'), windows, prompt);
      expect(new Set(v8.map((window) => window.tokens.length)).size).toBeGreaterThan(1);
      expect(v8.every((window) => window.tokens.length > 5)).toBe(true);
      expect(young).toEqual(v8);
    }, 180_000);

    it('transcribes jfk to the same words and times', async () => {
      const source = () => arraySource(decodeSample('jfk.wav'));
      const settings = { language: 'en', task: 'transcribe' as const, batchSize: 4 };
      const v8 = await transcribeSource(withCollection('v8'), source(), settings);
      const young = await transcribeSource(withCollection('young'), source(), settings);
      expect(v8.length).toBeGreaterThan(15);
      expect(young).toEqual(v8);
    }, 180_000);

    it('encoder states released and encoded again for the fallback: the same attempts and results as kept', async () => {
      const scratch = mkdtempSync(join(tmpdir(), 'bf-encoder-states-'));
      const speak = (text: string) => {
        const wav = join(scratch, 'spoken.wav');
        execFileSync('espeak-ng', ['-w', wav, text]);
        const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', wav, '-ac', '1', '-ar', '16000', '-f', 'f32le', '-']);
        return new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
      };
      try {
        // Two windows that loop (the fallback decodes them again, then fewer of them) around one that passes.
        const audio = [speak('okay '.repeat(30)), decodeSample('jfk.wav'), speak(Array.from({ length: 30 }, () => 'thank you').join(' '))];
        const inputs = await Promise.all(audio.map(async (samples) => ({ features: await runtime.features(samples), frames: Math.ceil(samples.length / 320) })));
        const { startOfTranscript, task } = runtime.vocabulary;
        const prompt = [startOfTranscript, runtime.tokenizer.tokenId('<|en|>')!, task.transcribe];
        const kept = await decodeWithFallback(withStates('keep'), inputs, prompt, DEFAULT_SAFEGUARDS);
        const released = await decodeWithFallback(withStates('release'), inputs, prompt, DEFAULT_SAFEGUARDS);
        expect(kept.map((window) => window.attempts)).toEqual([expect.any(Number), 1, expect.any(Number)]);
        expect(kept[0]!.attempts + kept[2]!.attempts).toBeGreaterThan(2);
        expect(released).toEqual(kept);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }, 300_000);
  });
});
