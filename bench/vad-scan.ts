/**
 * The voice-activity scan on the 2-hour benchmark's recording (memory-2h's: -50 dBFS pink noise
 * with the 38 s Everest talk every 10 minutes), before and after the energy first pass, side by
 * side in one process on the same WAV: `firstPass: 'none'` runs Silero over every frame (the scan
 * as it was), `energy` (the default) only over the stretches the energy pass finds above the
 * noise floor. Both are timed as one scan of the whole recording and as the worker runs it
 * (one scan per ~300 s chunk), and their speech regions are compared: every passage found,
 * total speech, and the speech of the full scan that the gated one misses (must be none).
 * The two bench talks (talk-en, talk-es) are compared the same way, and by the Whisper windows planned from each scan.
 * `tsx --conditions=development bench/vad-scan.ts [--quick | --full]`
 * Default: the recording's first 20 minutes (2 passages); --full: all 2 hours (12 passages), two
 * alternated rounds; --quick: the first 10 minutes.
 */
import { openWav } from '@babelfish/media';
import { arraySource, findVadModel, getVad, loudStretches, planSource, readFrameEnergies, speechRegions, stretchFrames, VAD_FRAME_SAMPLES, type SampleRange, type VadFirstPass } from '@babelfish/ml';
import { buildTalk, decodeF32, round, SAMPLE_RATE, samplePath } from './lib/fixtures';
import { useOfflineModels } from './lib/transcribers';
import { SPEECH_OFFSET_SECONDS, SPEECH_PERIOD_SECONDS, TWO_HOURS_SECONDS, twoHourWav } from './lib/two-hours';

useOfflineModels();
const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');
const seconds = full ? TWO_HOURS_SECONDS : quick ? 600 : 1200;
const rounds = full ? 2 : 1;
/** The worker's chunk length for long audio (TRANSCRIBE_CHUNK_SECONDS' default). */
const CHUNK_SECONDS = 300;

const vad = await getVad(findVadModel()!);
const wav = await openWav(await twoHourWav());
const source = { length: Math.min(wav.length, seconds * SAMPLE_RATE), read: (start: number, end: number) => wav.read(start, end) };
const passageSeconds = decodeF32(samplePath('es_everest.mp3')).length / SAMPLE_RATE;

// Untimed warm-up: the session's first runs and the page cache.
await vad.probabilities(source, 0, 60 * SAMPLE_RATE, { firstPass: 'none' });
await readFrameEnergies(source, 0, Math.floor(source.length / VAD_FRAME_SAMPLES));

const whole: Record<VadFirstPass, number[]> = { none: [], energy: [] };
const chunked: Record<VadFirstPass, number[]> = { none: [], energy: [] };
const probabilities: Partial<Record<VadFirstPass, Float32Array>> = {};
for (let i = 0; i < rounds; i++) {
  // Each goes first once when there are two rounds.
  for (const firstPass of i % 2 === 0 ? (['none', 'energy'] as const) : (['energy', 'none'] as const)) {
    const [scanned, time] = await timed(() => vad.probabilities(source, 0, source.length, { firstPass }));
    whole[firstPass].push(time);
    probabilities[firstPass] ??= scanned;
    chunked[firstPass].push((await timed(() => scanChunks(source, firstPass)))[1]);
  }
}
const old = speechRegions(probabilities.none!, source.length);
const gated = speechRegions(probabilities.energy!, source.length);
const missed = uncovered(old, gated);
const stretches = loudStretches(await readFrameEnergies(source, 0, Math.floor(source.length / VAD_FRAME_SAMPLES)));
await wav.close();
const passages = Array.from({ length: Math.floor(source.length / SAMPLE_RATE / SPEECH_PERIOD_SECONDS) }, (_, k) => {
  const start = (k * SPEECH_PERIOD_SECONDS + SPEECH_OFFSET_SECONDS) * SAMPLE_RATE;
  return { start, end: start + Math.round(passageSeconds * SAMPLE_RATE) };
});

const report = {
  bench: 'vad-scan',
  audioSeconds: round(source.length / SAMPLE_RATE, 0),
  rounds,
  wholeScan: timings(whole),
  perChunkScan: { chunkSeconds: CHUNK_SECONDS, ...timings(chunked) },
  energyPass: {
    stretches: stretches.length,
    scannedSeconds: round((stretchFrames(stretches) * VAD_FRAME_SAMPLES) / SAMPLE_RATE, 1),
    scannedShare: round(stretchFrames(stretches) / Math.floor(source.length / VAD_FRAME_SAMPLES), 3),
  },
  speech: {
    passages: passages.length,
    passagesFound: { old: passages.filter((p) => coverage(p, old) >= 0.8).length, new: passages.filter((p) => coverage(p, gated) >= 0.8).length },
    minPassageCoverage: { old: round(Math.min(...passages.map((p) => coverage(p, old))), 3), new: round(Math.min(...passages.map((p) => coverage(p, gated))), 3) },
    regions: { old: old.length, new: gated.length },
    speechSeconds: { old: round(total(old) / SAMPLE_RATE, 2), new: round(total(gated) / SAMPLE_RATE, 2) },
    oldSpeechMissedByNewSeconds: round(total(missed) / SAMPLE_RATE, 3),
    longestMissedSeconds: round(Math.max(0, ...missed.map((r) => r.end - r.start)) / SAMPLE_RATE, 3),
    newSpeechNotInOldSeconds: round(total(uncovered(gated, old)) / SAMPLE_RATE, 3),
    framesDisagreeingAtThreshold: disagreeing(probabilities.none!, probabilities.energy!),
  },
  talks: await compareTalks(),
};
console.log(JSON.stringify(report, null, 1));
process.exit(0);

/** The worker's way: one scan per chunk of ~300 s (the chunk cut itself scans ±15 s around each cut). */
async function scanChunks(audio: typeof source, firstPass: VadFirstPass): Promise<void> {
  for (let start = 0; start < audio.length; start += CHUNK_SECONDS * SAMPLE_RATE) {
    await vad.probabilities(audio, start, Math.min(audio.length, start + CHUNK_SECONDS * SAMPLE_RATE), { firstPass });
  }
}

/** Regions of both scans on the bench talks (these decide Whisper's windows in transcribe-speed). */
async function compareTalks(): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  for (const name of ['talk-en', 'talk-es']) {
    const audio = decodeF32(buildTalk(name).wav);
    const [none, energy] = await Promise.all(
      (['none', 'energy'] as const).map(async (firstPass) => speechRegions(await vad.probabilities(arraySource(audio), 0, audio.length, { firstPass }), audio.length)),
    );
    // The windows Whisper is given (transcriber.ts): the same windows, the same words.
    const [windowsNone, windowsEnergy] = await Promise.all((['none', 'energy'] as const).map((firstPass) => planSource(arraySource(audio), vad, { firstPass })));
    result[name] = {
      regions: { old: none!.length, new: energy!.length },
      regionsIdentical: JSON.stringify(none) === JSON.stringify(energy),
      whisperWindowsIdentical: JSON.stringify(windowsNone) === JSON.stringify(windowsEnergy),
      oldSpeechMissedByNewSeconds: round(total(uncovered(none!, energy!)) / SAMPLE_RATE, 3),
      maxEdgeShiftSeconds: none!.length === energy!.length ? round(Math.max(0, ...none!.map((r, i) => Math.max(Math.abs(r.start - energy![i]!.start), Math.abs(r.end - energy![i]!.end)))) / SAMPLE_RATE, 3) : null,
    };
  }
  return result;
}

function timings(runs: Record<VadFirstPass, number[]>) {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    oldSeconds: runs.none.map((s) => round(s, 2)),
    newSeconds: runs.energy.map((s) => round(s, 2)),
    speedup: round(sum(runs.none) / sum(runs.energy), 2),
    oldRealtime: round(source.length / SAMPLE_RATE / (sum(runs.none) / runs.none.length), 0),
    newRealtime: round(source.length / SAMPLE_RATE / (sum(runs.energy) / runs.energy.length), 0),
  };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

/** The parts of `regions` that no range of `by` covers. */
function uncovered(regions: readonly SampleRange[], by: readonly SampleRange[]): SampleRange[] {
  const result: SampleRange[] = [];
  for (const region of regions) {
    let cursor = region.start;
    for (const cover of by) {
      if (cover.end <= cursor || cover.start >= region.end) continue;
      if (cover.start > cursor) result.push({ start: cursor, end: cover.start });
      cursor = Math.max(cursor, cover.end);
    }
    if (cursor < region.end) result.push({ start: cursor, end: region.end });
  }
  return result;
}

/** Share of `range` inside `regions`. */
function coverage(range: SampleRange, regions: readonly SampleRange[]): number {
  return 1 - total(uncovered([range], regions)) / (range.end - range.start);
}

function total(regions: readonly SampleRange[]): number {
  return regions.reduce((sum, region) => sum + region.end - region.start, 0);
}

/** Frames that one scan calls speech (p ≥ 0.5) and the other does not. */
function disagreeing(a: Float32Array, b: Float32Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! >= 0.5 !== b[i]! >= 0.5) count++;
  return count;
}

