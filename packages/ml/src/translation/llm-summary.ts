import { getLanguage } from '@babelfish/core';

/**
 * The llm engine's note on the whole video: one chat completion per source transcript asks for
 * a 2–3 sentence summary and the key terms to keep consistent, and its reply goes into every
 * chunk's prompt, so a chunk from the middle of a talk still knows the topic, the speaker and
 * which names recur. The reply is cached like line translations (a second target language or a
 * re-run reuses it); when the call fails, the transcript's opening stands in.
 */

export type VideoSummary = {
  text: string;
  /** Names, technical terms and recurring phrases the translation should render the same way each time. */
  terms: string[];
  /** `model`: the summary call's reply; `opening`: the first lines of the transcript. */
  source: 'model' | 'opening';
};

/** Written into the summary request; the scripted test server tells summary requests apart by it. */
export const SUMMARY_MARKER = 'Summarise the video from its transcript.';

const MAX_TERMS = 30;
const MAX_TERM_CHARS = 80;
const MAX_SUMMARY_CHARS = 1200;

/**
 * The transcript as sent for summarising: all of it when it fits in `maxChars`, else evenly
 * spread excerpts (beginning, middle, end), so a long talk is summarised from more than its
 * introduction without sending a two-hour transcript.
 */
export function transcriptExcerpt(texts: readonly string[], maxChars: number, pieces = 4): string {
  const all = texts.map((text) => text.trim()).filter(Boolean).join(' ');
  if (all.length <= maxChars) return all;
  const size = Math.floor(maxChars / pieces);
  const step = (all.length - size) / (pieces - 1);
  return Array.from({ length: pieces }, (_, i) => {
    const start = Math.round(i * step);
    const piece = all.slice(start, start + size);
    // Cut at words, except where the piece starts or ends the transcript itself.
    const head = start > 0 ? piece.replace(/^\S*\s/, '') : piece;
    return start + size < all.length ? head.replace(/\s\S*$/, '') : head;
  }).join(' … ');
}

export function summaryMessages(from: string, texts: readonly string[], maxChars: number): { role: 'system' | 'user'; content: string }[] {
  const language = getLanguage(from).name;
  const system = [
    `You help translate the subtitles of a video spoken in ${language}. ${SUMMARY_MARKER}`,
    'Reply with only a JSON object: {"summary": "2-3 sentences: what the video is about, who speaks, the register", "terms": ["names, technical terms and recurring phrases to translate the same way throughout"]}.',
    'Write the summary in English; copy terms exactly as they appear in the transcript; tokens like ZXQ0 are placeholders, leave them out.',
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: `Transcript (${language}):\n${transcriptExcerpt(texts, maxChars)}` },
  ];
}

/** The summary in a reply (a ```json fence is fine), or why the reply is unusable. */
export function parseSummaryReply(content: string): { ok: true; summary: VideoSummary } | { ok: false; problem: string } {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(content);
  let parsed: unknown;
  try {
    parsed = JSON.parse((fenced?.[1] ?? content).trim());
  } catch {
    return { ok: false, problem: 'the summary reply is not JSON' };
  }
  const reply = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { summary?: unknown; terms?: unknown };
  const text = typeof reply.summary === 'string' ? reply.summary.replace(/\s+/g, ' ').trim() : '';
  if (!text) return { ok: false, problem: 'the summary reply has no summary' };
  const terms = (Array.isArray(reply.terms) ? reply.terms : [])
    .filter((term): term is string => typeof term === 'string')
    .map((term) => term.replace(/\s+/g, ' ').trim())
    .filter((term) => term && term.length <= MAX_TERM_CHARS && !/ZXQ\s?\d/i.test(term));
  return { ok: true, summary: { text: text.slice(0, MAX_SUMMARY_CHARS), terms: [...new Set(terms)].slice(0, MAX_TERMS), source: 'model' } };
}

/** The stand-in when the summary call fails: the start of the transcript, cut at a word. */
export function openingSummary(texts: readonly string[], maxChars: number): VideoSummary {
  const all = texts.filter((text) => text.trim()).join(' ');
  const text = all.length <= maxChars ? all : `${all.slice(0, maxChars).replace(/\s+\S*$/, '')} …`;
  return { text, terms: [], source: 'opening' };
}

/** How a chunk's prompt presents the summary. */
export function summaryLines(summary: VideoSummary): string[] {
  if (summary.source === 'opening') return [`About the video (its opening lines): ${summary.text}`];
  const lines = [`About the video: ${summary.text}`];
  if (summary.terms.length > 0) lines.push(`Key terms (translate each the same way every time): ${summary.terms.join('; ')}`);
  return lines;
}
