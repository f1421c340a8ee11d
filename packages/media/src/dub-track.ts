import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgressReporter, Segment } from '@babelfish/core';
import { decodeMono, soundSpan, writeWavMono16 } from './audio-energy';
import type { TtsEngine } from './tts';

/**
 * A speech track for one language: every cue spoken by a TTS engine and fitted to the cue's
 * time (its silence trimmed, its tempo changed within sane bounds, then cut or padded), so the
 * speech starts with the cue and is over before the next one.
 */

export type DubTrackOptions = {
  cues: readonly Segment[];
  language: string;
  engine: TtsEngine;
  /** Where the finished track goes (mono 16-bit WAV). */
  output: string;
  /** Length of the track: the media's duration. */
  durationSeconds: number;
  /** Scratch space for the per-cue clips. */
  workDir: string;
  sampleRate?: number;
  /** Speed-up allowed before the end is cut (atempo's own range is 0.5–100). */
  maxTempo?: number;
  /** Slow-down allowed to fill a long cue: more than a little sounds drawn out, so padding does the rest. */
  minTempo?: number;
  onProgress?: ProgressReporter;
  signal?: AbortSignal;
  ffmpegPath?: string;
};

export type DubTrackReport = { clips: number; spedUp: number; cut: number; silent: number };

const SAMPLE_RATE = 48_000;
/** Synthetic speech is clean: anything above -45 dBFS is voice, below is the engine's padding. */
const TRIM_THRESHOLD_DB = -45;
const FADE_SECONDS = 0.02;

/** Tempo for a clip of `speech` seconds to fill `slot` seconds, kept within [min, max]. */
export function fitTempo(speech: number, slot: number, min: number, max: number): number {
  if (slot <= 0 || speech <= 0) return 1;
  const tempo = speech / slot;
  // Within 3 %, nobody hears the difference: leave the clip untouched.
  if (Math.abs(tempo - 1) < 0.03) return 1;
  return Math.min(max, Math.max(min, tempo));
}

export async function renderDubTrack(opts: DubTrackOptions): Promise<DubTrackReport> {
  const sampleRate = opts.sampleRate ?? SAMPLE_RATE;
  const maxTempo = Math.min(2, opts.maxTempo ?? 2);
  const minTempo = Math.max(0.5, opts.minTempo ?? 0.9);
  const track = new Float32Array(Math.ceil(opts.durationSeconds * sampleRate));
  const report: DubTrackReport = { clips: 0, spedUp: 0, cut: 0, silent: 0 };
  const dir = await mkdtemp(join(opts.workDir, `dub-${opts.language}-`));
  try {
    const spoken = opts.cues.filter((cue) => cue.text.trim());
    for (const [index, cue] of spoken.entries()) {
      const raw = join(dir, `${index}.wav`);
      await opts.engine.synthesize(cue.text.replace(/\s*\n\s*/g, ' '), opts.language, raw, opts.signal);
      const clip = await fitClip(raw, cue.end - cue.start, { sampleRate, minTempo, maxTempo, ffmpegPath: opts.ffmpegPath, signal: opts.signal });
      if (!clip) {
        report.silent += 1;
        continue;
      }
      track.set(clip.samples.subarray(0, Math.max(0, track.length - Math.round(cue.start * sampleRate))), Math.round(cue.start * sampleRate));
      report.clips += 1;
      if (clip.tempo > 1) report.spedUp += 1;
      if (clip.cut) report.cut += 1;
      opts.onProgress?.((100 * (index + 1)) / spoken.length);
    }
    await writeWavMono16(opts.output, track, sampleRate);
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type FitOptions = { sampleRate: number; minTempo: number; maxTempo: number; ffmpegPath?: string; signal?: AbortSignal };

/** One clip, silence trimmed and fitted to `slot` seconds; undefined when the engine produced no sound. */
async function fitClip(wav: string, slot: number, opts: FitOptions): Promise<{ samples: Float32Array; tempo: number; cut: boolean } | undefined> {
  const decoded = await decodeMono(wav, opts.sampleRate, { ffmpegPath: opts.ffmpegPath, signal: opts.signal });
  const span = soundSpan(decoded, opts.sampleRate, { thresholdDb: TRIM_THRESHOLD_DB });
  if (!span) return undefined;
  const tempo = fitTempo(span.end - span.start, slot, opts.minTempo, opts.maxTempo);
  // Trim and change tempo in one ffmpeg pass: atempo keeps the pitch, unlike resampling.
  const filter = [`atrim=start=${span.start.toFixed(3)}:end=${span.end.toFixed(3)}`, 'asetpts=PTS-STARTPTS', ...(tempo === 1 ? [] : [`atempo=${tempo.toFixed(4)}`])].join(',');
  let samples = await decodeMono(wav, opts.sampleRate, { filter, ffmpegPath: opts.ffmpegPath, signal: opts.signal });
  const slotSamples = Math.max(0, Math.floor(slot * opts.sampleRate));
  const cut = samples.length > slotSamples;
  if (cut) {
    // Still too long at the fastest tempo: cut, with a short fade so the cut does not click.
    samples = samples.slice(0, slotSamples);
    const fade = Math.min(samples.length, Math.round(FADE_SECONDS * opts.sampleRate));
    for (let i = 0; i < fade; i++) samples[samples.length - 1 - i]! *= i / fade;
  }
  return { samples, tempo, cut };
}
