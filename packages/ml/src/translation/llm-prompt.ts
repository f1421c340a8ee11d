import { getLanguage } from '@babelfish/core';
import { summaryLines, type VideoSummary } from './llm-summary';

/**
 * What the llm engine sends and how it checks what comes back. Lines are numbered (id = index
 * in the whole transcript + 1) and sent as one JSON object per chunk, with a few lines either
 * side as read-only context, a note on what the video is about and the job's terminology. The
 * reply must be a JSON object with exactly the chunk's ids: anything else is rejected whole, so
 * a model that merges, splits or skips a line can never shift the others.
 */

/** `summaryChars`: the opening used when the summary call fails; `summaryInputChars`: the transcript sent to be summarised. */
export type ChunkLimits = { maxLines: number; maxChars: number; contextLines: number; summaryChars: number; summaryInputChars: number };

/** Small enough for a 7B model's attention and a quick retry, large enough to keep requests few. */
export const DEFAULT_CHUNK_LIMITS: ChunkLimits = { maxLines: 30, maxChars: 3000, contextLines: 3, summaryChars: 1200, summaryInputChars: 12_000 };

export type ChatMessage = { role: 'system' | 'user'; content: string };

export type PromptInput = {
  from: string;
  to: string;
  /** Every line of the transcript (context comes from here), placeholders in place. */
  texts: readonly string[];
  /** Indices into `texts` to translate in this request, in order. */
  chunk: readonly number[];
  summary: VideoSummary;
  glossary?: readonly { source: string; target: string }[];
  style?: string;
  contextLines: number;
};

/** The marker the reply-script test server also looks for, to echo a chunk's ids. */
export const LINES_MARKER = 'Lines to translate (JSON, id → text):';

export const lineId = (index: number) => String(index + 1);

/** Cuts the lines to send into consecutive chunks, each within both limits (a longer line goes alone). */
export function planChunks(indices: readonly number[], texts: readonly string[], limits: Pick<ChunkLimits, 'maxLines' | 'maxChars'>): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let chars = 0;
  for (const index of indices) {
    const length = texts[index]?.length ?? 0;
    // A gap in the indices (cached lines between) also starts a new chunk, so each chunk's
    // context is its real neighbours.
    const contiguous = chunk.length === 0 || chunk[chunk.length - 1] === index - 1;
    if (chunk.length > 0 && (!contiguous || chunk.length >= limits.maxLines || chars + length > limits.maxChars)) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(index);
    chars += length;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export function buildMessages(input: PromptInput): ChatMessage[] {
  const from = getLanguage(input.from).name;
  const to = getLanguage(input.to).name;
  const first = input.chunk[0] ?? 0;
  const last = input.chunk[input.chunk.length - 1] ?? 0;
  const numbered = (indices: number[]) => indices.map((index) => `${lineId(index)}: ${input.texts[index] ?? ''}`).join('\n');
  const range = (start: number, end: number) => Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
  const before = range(Math.max(0, first - input.contextLines), first);
  const after = range(last + 1, Math.min(input.texts.length, last + 1 + input.contextLines));
  const lines = Object.fromEntries(input.chunk.map((index) => [lineId(index), input.texts[index] ?? '']));

  const system = [
    `You translate video subtitles from ${from} to ${to}.`,
    'Each line is a sentence someone says; translate it naturally, as a subtitle, using the surrounding lines to understand it.',
    'Translate every line separately: never merge two lines, split one, or move words between lines.',
    'Tokens like ZXQ0 stand for glossary terms: copy each one unchanged into the translation of its line.',
    'Reply with only a JSON object mapping each line id to its translation, e.g. {"7":"…","8":"…"}, with exactly the ids you were given and nothing else.',
  ].join('\n');
  const parts = [summaryLines(input.summary).join('\n')];
  if (input.style) parts.push(`Style: ${input.style}`);
  if (input.glossary && input.glossary.length > 0) {
    parts.push(`Terminology (always translate these this way):\n${input.glossary.map((term) => `- ${term.source} → ${term.target}`).join('\n')}`);
  }
  if (before.length > 0) parts.push(`Previous lines (context only, do not translate):\n${numbered(before)}`);
  parts.push(`${LINES_MARKER}\n${JSON.stringify(lines)}`);
  if (after.length > 0) parts.push(`Following lines (context only, do not translate):\n${numbered(after)}`);
  parts.push(`Reply with the JSON object for ids ${lineId(first)}–${lineId(last)} only.`);
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export type ParsedReply = { ok: true; texts: string[] } | { ok: false; problem: string };

const placeholderPattern = /ZXQ\s?(\d+)/gi;
const placeholders = (text: string) => [...text.matchAll(placeholderPattern)].map((match) => match[1]).sort();

/**
 * The translations for `chunk` from a reply, or why the reply is unusable: not JSON (a ```json
 * fence is fine), an id missing, repeated or unknown, an empty translation of a non-empty line,
 * or a glossary placeholder lost.
 */
export function parseReply(content: string, chunk: readonly number[], texts: readonly string[]): ParsedReply {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(content);
  const body = (fenced?.[1] ?? content).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'the reply is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, problem: 'the reply is not a JSON object' };
  const reply = parsed as Record<string, unknown>;
  const expected = new Set(chunk.map(lineId));
  const extra = Object.keys(reply).filter((id) => !expected.has(id));
  if (extra.length > 0) return { ok: false, problem: `unexpected ids ${extra.join(', ')}` };
  const result: string[] = [];
  for (const index of chunk) {
    const id = lineId(index);
    const value = reply[id];
    if (typeof value !== 'string') return { ok: false, problem: `id ${id} is missing` };
    // JSON.parse keeps the last of repeated keys: count them in the text itself.
    if ((body.match(new RegExp(`"${id}"\\s*:`, 'g')) ?? []).length > 1) return { ok: false, problem: `id ${id} appears more than once` };
    const source = texts[index] ?? '';
    const text = value.replace(/\s+/g, ' ').trim();
    if (source.trim() && !text) return { ok: false, problem: `id ${id} is empty` };
    if (placeholders(source).join() !== placeholders(text).join()) return { ok: false, problem: `id ${id} lost a glossary term` };
    result.push(text);
  }
  return { ok: true, texts: result };
}
