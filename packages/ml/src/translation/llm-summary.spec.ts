import { buildMessages } from './llm-prompt';
import { openingSummary, parseSummaryReply, summaryMessages, transcriptExcerpt } from './llm-summary';

describe('llm summary prompt and reply', () => {
  it('falls back to the opening of the transcript, cut at a word', () => {
    expect(openingSummary(['Hello there.', '', 'General Kenobi.'], 100)).toEqual({ text: 'Hello there. General Kenobi.', terms: [], source: 'opening' });
    expect(openingSummary(['Hello there. General Kenobi.'], 16).text).toBe('Hello there. …');
  });

  it('sends a short transcript whole and a long one as excerpts from beginning to end', () => {
    expect(transcriptExcerpt(['One.', ' ', 'Two.'], 100)).toBe('One. Two.');
    const long = Array.from({ length: 400 }, (_, i) => `Sentence number ${i}.`);
    const excerpt = transcriptExcerpt(long, 800);
    expect(excerpt.length).toBeLessThanOrEqual(800 + 3 * 3);
    expect(excerpt).toContain('Sentence number 0.');
    expect(excerpt).toContain('Sentence number 399.');
    expect(excerpt.split(' … ')).toHaveLength(4);
    const [system, user] = summaryMessages('es', long, 800);
    expect(system!.content).toContain('spoken in Spanish');
    expect(user!.content).toBe(`Transcript (Spanish):\n${excerpt}`);
  });

  it('reads a summary with its key terms, fenced or not, and drops placeholders and junk terms', () => {
    const terms = ['NASA', 'ZXQ0', 7, 'NASA', 'x'.repeat(200), 'Apollo'];
    const reply = `\`\`\`json\n${JSON.stringify({ summary: ' A speech  about the moon. ', terms })}\n\`\`\``;
    expect(parseSummaryReply(reply)).toEqual({ ok: true, summary: { text: 'A speech about the moon.', terms: ['NASA', 'Apollo'], source: 'model' } });
    expect(parseSummaryReply('{"summary": "Only a summary."}')).toEqual({ ok: true, summary: { text: 'Only a summary.', terms: [], source: 'model' } });
  });

  it.each([
    ['not JSON', 'This video is about the moon.', 'the summary reply is not JSON'],
    ['no summary', '{"terms": ["NASA"]}', 'the summary reply has no summary'],
    ['an empty summary', '{"summary": "  "}', 'the summary reply has no summary'],
  ])('rejects a reply with %s', (_name, content, problem) => {
    expect(parseSummaryReply(content)).toEqual({ ok: false, problem });
  });

  it('puts the summary and its terms in every chunk prompt; an opening is labelled as such', () => {
    const base = { from: 'en', to: 'es', texts: ['One.', 'Two.'], chunk: [1], contextLines: 1 };
    const [, withSummary] = buildMessages({ ...base, summary: { text: 'A talk on rockets.', terms: ['Saturn V', 'NASA'], source: 'model' } });
    expect(withSummary!.content).toContain('About the video: A talk on rockets.\nKey terms (translate each the same way every time): Saturn V; NASA');
    const [, withOpening] = buildMessages({ ...base, summary: { text: 'One. Two.', terms: [], source: 'opening' } });
    expect(withOpening!.content).toContain('About the video (its opening lines): One. Two.');
    expect(withOpening!.content).not.toContain('Key terms');
  });
});
