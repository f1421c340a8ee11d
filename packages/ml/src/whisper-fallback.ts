import {
  bestAttempt,
  collapseRepetitions,
  compressionRatio,
  distinctSegmentTokens,
  endsInLoop,
  judgeAttempt,
  loopRuns,
  seededRandom,
  segmentTexts,
  type Attempt,
  type DecodeQuality,
  type DecodeSafeguards,
  type Repetition,
  type Verdict,
} from './decode-quality';
import type { Tensor } from 'onnxruntime-node';
import { decodeWindows, takeRows, type DecodedWindow, type DecodeInput, type StepListener } from './whisper-decoder';
import type { WhisperRuntime } from './whisper-runtime';

/**
 * openai/whisper's temperature fallback over a batch of windows. The batch is decoded greedily
 * (the fast path: a window that passes costs one text decode, one deflate and one scan of its
 * tokens more than before); the windows that fail are decoded again together, sampled at the
 * next temperature from the same encoder states, until each passes, turns out to be silence, or
 * the temperatures run out. Then the most confident attempt is kept and any loop left in it is
 * collapsed to one copy. A sampled attempt that reproduces a greedy text that does not loop ends
 * the fallback early: the model is sure of it, so hotter samples only cost time.
 */

export type WindowResult = {
  /** Undefined when the window is silence: its text is dropped. */
  result?: DecodedWindow;
  quality: DecodeQuality;
  /** Decodes run for the window (1 = greedy only). */
  attempts: number;
  /** The kept attempt's repetitions were collapsed to one copy. */
  collapsed: boolean;
};

type Judged = Attempt & { decoded: DecodedWindow; verdict: Verdict; runs: Repetition[]; text: string };

export async function decodeWithFallback(
  runtime: WhisperRuntime,
  inputs: readonly DecodeInput[],
  prompt: readonly number[],
  safeguards: DecodeSafeguards,
  onStep?: StepListener,
): Promise<WindowResult[]> {
  const [firstTemperature = 0, ...hotter] = safeguards.temperatures;
  const { endOfText } = runtime.vocabulary;
  // A loop fails the window whatever follows it, so its decode stops there, not at the token limit.
  const stopWhen = (generated: readonly number[]) => endsInLoop(generated.filter((token) => token < endOfText));
  // Encoder states by window: kept for the fallback (`keep`), or let go of once the first step's
  // cross-attention cache is computed and encoded again for the windows that fail (`release`:
  // one encoder run per window, so the same states to the bit).
  const all = inputs.map((_, i) => i);
  let states: { windows: number[]; hidden: Tensor } | undefined =
    (runtime.levers?.encoderStates ?? 'release') === 'keep' ? { windows: all, hidden: await runtime.encode(inputs.map((input) => input.features)) } : undefined;
  const first = await decodeWindows(runtime, inputs, prompt, {
    hidden: states?.hidden,
    onStep,
    temperature: firstTemperature,
    random: seededRandom(safeguards.seed),
    maxTokens: safeguards.maxWindowTokens,
    stopWhen,
  });
  const attempts = first.map((decoded) => [judge(runtime, decoded, safeguards)]);

  let pending = attempts.flatMap((list, i) => (list[0]!.verdict === 'fallback' ? [i] : []));
  for (const [step, temperature] of hotter.entries()) {
    if (pending.length === 0) break;
    const rows = pending;
    states ??= { windows: rows, hidden: await runtime.encode(rows.map((i) => inputs[i]!.features)) };
    const { windows, hidden } = states;
    const redone = await decodeWindows(
      runtime,
      rows.map((i) => inputs[i]!),
      prompt,
      {
        hidden: rows.length === windows.length ? hidden : takeRows(hidden, rows.map((i) => windows.indexOf(i))),
        temperature,
        random: seededRandom(safeguards.seed + step + 1),
        maxTokens: safeguards.maxWindowTokens,
        stopWhen,
      },
    );
    redone.forEach((decoded, k) => attempts[rows[k]!]!.push(judge(runtime, decoded, safeguards)));
    pending = rows.filter((i) => {
      const list = attempts[i]!;
      const last = list[list.length - 1]!;
      // A repeat of the greedy text ends it, unless that text loops: hotter samples may break a loop.
      const reproduced = last.text === list[0]!.text && !last.repetitive && !last.decoded.truncated;
      return last.verdict === 'fallback' && !reproduced;
    });
  }

  return attempts.map((list) => {
    const last = list[list.length - 1]!;
    if (last.verdict === 'silence') return { quality: qualityOf(last), attempts: list.length, collapsed: false };
    const kept = last.verdict === 'pass' ? last : bestAttempt(list)!;
    const collapsed = kept.runs.length > 0;
    const result = collapsed ? collapse(kept.decoded, kept.runs, runtime.vocabulary.endOfText) : kept.decoded;
    return { result, quality: qualityOf(kept), attempts: list.length, collapsed };
  });
}

function judge(runtime: WhisperRuntime, decoded: DecodedWindow, safeguards: DecodeSafeguards): Judged {
  const { endOfText } = runtime.vocabulary;
  const segments = segmentTexts(decoded.tokens, endOfText);
  const text = runtime.tokenizer.decode(segments.flat());
  const runs = loopRuns(segments);
  // openai/whisper: the sum over the tokens up to and including end-of-text, over their count.
  const counted = decoded.tokens.length - (decoded.truncated ? 0 : 1) + 1;
  const attempt: Attempt = {
    avgLogprob: decoded.sumLogprob / counted,
    compressionRatio: compressionRatio(runtime.tokenizer.decode(distinctSegmentTokens(segments))),
    noSpeechProb: decoded.noSpeechProb,
    temperature: decoded.temperature,
    repetitive: runs.length > 0,
  };
  return { ...attempt, decoded, runs, text, verdict: judgeAttempt(attempt, safeguards) };
}

function qualityOf(attempt: Judged): DecodeQuality {
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return {
    avgLogprob: round(attempt.avgLogprob),
    compressionRatio: round(attempt.compressionRatio),
    noSpeechProb: round(attempt.noSpeechProb),
    temperature: attempt.temperature,
  };
}

/** The window with each loop cut to its first copy (timestamps kept, so segments stay closed). */
function collapse(decoded: DecodedWindow, runs: readonly Repetition[], endOfText: number): DecodedWindow {
  const textAt = decoded.tokens.flatMap((token, i) => (token < endOfText ? [i] : []));
  const keepText = new Set(collapseRepetitions(textAt.length, runs).map((k) => textAt[k]!));
  const keep = decoded.tokens.flatMap((token, i) => (token >= endOfText || keepText.has(i) ? [i] : []));
  return { ...decoded, tokens: keep.map((i) => decoded.tokens[i]!), tokenTimes: keep.map((i) => decoded.tokenTimes[i]!) };
}
