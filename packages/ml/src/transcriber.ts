import { AppError, getLanguage } from '@babelfish/core';
import { SAMPLE_RATE } from './audio-windows';
import type { AudioSource } from './audio-source';
import type { TimedToken } from './segmenter';
import { planSource } from './window-plan';
import { toSourceSample, windowFrom, type SpeechWindow } from './speech-windows';
import type { SileroVad, VadScanOptions } from './vad';
import { DEFAULT_SAFEGUARDS, type DecodeSafeguards } from './decode-quality';
import { decodeWithFallback, type WindowResult } from './whisper-fallback';
import { tokenId } from './whisper-pipeline';
import type { WhisperRuntime } from './whisper-runtime';

/**
 * Source audio → timed words: find the speech (VAD), pack it into ≤ 30 s windows cut at
 * pauses, decode the windows a batch at a time, map every word back to source time. Only the
 * windows being decoded are in memory, so the source may be a WAV file of any length.
 */

export type TranscribeSettings = {
  /** A language code in any form the table knows; Whisper's token is `<|whisperToken|>`. */
  language: string;
  task: 'transcribe' | 'translate';
  /** Windows decoded together. */
  batchSize: number;
  /** The VAD, or undefined to fall back to loudness-based windows over the whole audio. */
  vad?: SileroVad;
  /** 0–100 over the speech to decode. */
  onProgress?: (percent: number) => void;
  /** Quality checks and temperature fallback (openai/whisper's defaults when absent). */
  safeguards?: DecodeSafeguards;
  /** Told how each decoded window fared (counters, logs). */
  onWindow?: (window: WindowResult) => void;
  /** Checked before each batch: once aborted, no further window is decoded (CANCELED). */
  signal?: AbortSignal;
  /** Previous text for every window (OpenAI's `prompt`, whisper-asr's `initial_prompt`): spelling and style to follow. */
  initialPrompt?: string;
};

/** When Whisper still stops early, a tail this long after its last closed segment is decoded again. */
const RETRY_TAIL = 1 * SAMPLE_RATE;
const MAX_RETRIES = 2;

type Pending = { window: SpeechWindow; retries: number };

export async function transcribeSource(runtime: WhisperRuntime, source: AudioSource, settings: TranscribeSettings): Promise<TimedToken[]> {
  const language = getLanguage(settings.language);
  const languageToken = language.whisperToken === undefined ? undefined : tokenId(runtime.tokenizer, `<|${language.whisperToken}|>`);
  if (languageToken === undefined) throw new AppError('UNKNOWN_LANGUAGE', `Whisper cannot transcribe ${language.name} (${language.code}): this model has no language token for it`);
  const prompt = [...previousText(runtime, settings.initialPrompt), runtime.vocabulary.startOfTranscript, languageToken, runtime.vocabulary.task[settings.task]];

  const windows = await planSource(source, settings.vad);
  const total = windows.reduce((sum, window) => sum + window.length, 0);
  let done = 0;
  const words: TimedToken[] = [];
  const queue: Pending[] = windows.map((window) => ({ window, retries: 0 }));

  while (queue.length > 0) {
    // A batch already decoding runs to its end (one ONNX run cannot be interrupted); the next does not start.
    if (settings.signal?.aborted) throw new AppError('CANCELED', 'The transcription was canceled');
    const batch = queue.splice(0, settings.batchSize);
    const inputs = await Promise.all(
      batch.map(async ({ window }) => ({ features: await runtime.features(await readWindow(source, window)), frames: Math.ceil(window.length / 320) })),
    );
    const decoded = await decodeWithFallback(runtime, inputs, prompt, settings.safeguards ?? DEFAULT_SAFEGUARDS, (stamps) => {
      // Within a batch, a window's progress is how far its timestamps have got.
      const partial = batch.reduce((sum, { window }, i) => sum + Math.min(window.length, Math.max(0, stamps[i]!) * SAMPLE_RATE), 0);
      settings.onProgress?.((100 * (done + partial)) / total);
    });
    const retries: Pending[] = [];
    decoded.forEach((outcome, i) => {
      const { result, quality } = outcome;
      const { window, retries: tries } = batch[i]!;
      settings.onWindow?.(outcome);
      if (!result) {
        done += window.length; // silence: nothing to keep, nothing to decode again
        return;
      }
      const windowWordsList = runtime.tokenizer.words(result);
      const covered = coveredUntil(result.tokens, runtime.vocabulary.timestampBegin, runtime.vocabulary.endOfText);
      const cut = covered * SAMPLE_RATE;
      const retry = tries < MAX_RETRIES && covered > 0 && window.length - cut > RETRY_TAIL;
      for (const word of windowWordsList) {
        // Words after the last closed segment are decoded again with the tail.
        if (retry && word.start >= covered) continue;
        words.push({
          text: word.text,
          start: toSourceSample(window, word.start * SAMPLE_RATE) / SAMPLE_RATE,
          end: toSourceSample(window, word.end * SAMPLE_RATE) / SAMPLE_RATE,
          quality,
        });
      }
      if (retry) retries.push({ window: windowFrom(window, cut), retries: tries + 1 });
      done += retry ? cut : window.length;
    });
    queue.unshift(...retries);
    settings.onProgress?.((100 * done) / Math.max(1, total));
  }
  return words.sort((a, b) => a.start - b.start);
}

/**
 * openai/whisper's initial prompt: <|startofprev|> and the text's tokens (its last 223, half the
 * context less one, as there) before <|startoftranscript|>. openai/whisper gives it to the first
 * window and then conditions each window on the one before; here windows are decoded in
 * parallel batches, so every window gets the caller's text (a name is spelt alike throughout).
 */
export function previousText(runtime: WhisperRuntime, text: string | undefined): number[] {
  const trimmed = text?.trim();
  if (!trimmed) return [];
  const { startOfPrev, maxLength } = runtime.vocabulary;
  if (startOfPrev === undefined) throw new AppError('MODEL_UNAVAILABLE', 'This Whisper model has no <|startofprev|> token, so it cannot take a prompt');
  const tokens = runtime.tokenizer.encode(` ${trimmed}`);
  return [startOfPrev, ...tokens.slice(-(Math.floor(maxLength / 2) - 1))];
}

/** The window's pieces read from the source and joined. */
export async function readWindow(source: AudioSource, window: SpeechWindow): Promise<Float32Array> {
  const samples = new Float32Array(window.length);
  for (const piece of window.pieces) samples.set(await source.read(piece.start, piece.end), piece.offset);
  return samples;
}

/**
 * Seconds of the window the decoded segments account for: the last timestamp when the output
 * ends with a closed segment (… text <|t|> end-of-text), else the last segment boundary.
 */
export function coveredUntil(tokens: readonly number[], timestampBegin: number, endOfText: number): number {
  const body = tokens[tokens.length - 1] === endOfText ? tokens.slice(0, -1) : [...tokens];
  const isStamp = (token: number | undefined) => token !== undefined && token >= timestampBegin;
  const seconds = (token: number) => (token - timestampBegin) * 0.02;
  const last = body[body.length - 1];
  if (last !== undefined && isStamp(last) && !isStamp(body[body.length - 2])) return seconds(last);
  for (let i = body.length - 1; i > 0; i--) {
    if (isStamp(body[i]) && isStamp(body[i - 1])) return seconds(body[i - 1]!);
  }
  return 0;
}

