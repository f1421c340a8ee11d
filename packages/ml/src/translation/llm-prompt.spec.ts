import { buildMessages, parseReply, planChunks } from './llm-prompt';

describe('llm prompt and reply checks', () => {
  const texts = ['One.', 'Two ZXQ0.', '', 'Four.'];

  it('cuts chunks by line count and characters, and at gaps (cached lines) between them', () => {
    expect(planChunks([0, 1, 2, 3, 4], ['a', 'b', 'c', 'd', 'e'], { maxLines: 2, maxChars: 100 })).toEqual([[0, 1], [2, 3], [4]]);
    expect(planChunks([0, 1, 2], ['aaaa', 'bbbb', 'cc'], { maxLines: 10, maxChars: 6 })).toEqual([[0], [1, 2]]);
    expect(planChunks([0, 1, 3, 4], ['a', 'b', 'c', 'd', 'e'], { maxLines: 10, maxChars: 100 })).toEqual([[0, 1], [3, 4]]);
    // A line longer than the limit still goes, alone.
    expect(planChunks([0], ['x'.repeat(50)], { maxLines: 10, maxChars: 10 })).toEqual([[0]]);
  });

  it('numbers lines by their place in the whole transcript', () => {
    const [, user] = buildMessages({ from: 'en', to: 'fr', texts, chunk: [3], summary: { text: 's', terms: [], source: 'model' }, contextLines: 2, glossary: [] });
    expect(user!.content).toContain('Previous lines (context only, do not translate):\n2: Two ZXQ0.\n3: ');
    expect(user!.content).toContain('{"4":"Four."}');
    expect(user!.content).not.toContain('Terminology');
  });

  it('accepts exactly the ids asked for, fenced or not, with whitespace tidied', () => {
    expect(parseReply('{"1":" Uno. ","2":"Dos ZXQ0.","3":""}', [0, 1, 2], texts)).toEqual({ ok: true, texts: ['Uno.', 'Dos ZXQ0.', ''] });
    expect(parseReply('Sure:\n```json\n{"4": "Cuatro."}\n```', [3], texts)).toEqual({ ok: true, texts: ['Cuatro.'] });
  });

  it.each([
    ['not JSON', 'Uno, dos', 'the reply is not JSON'],
    ['an array', '["Uno.","Dos ZXQ0."]', 'the reply is not a JSON object'],
    ['a missing id', '{"1":"Uno."}', 'id 2 is missing'],
    ['an extra id', '{"1":"Uno.","2":"Dos ZXQ0.","5":"Cinco"}', 'unexpected ids 5'],
    ['a repeated id', '{"1":"Uno.","2":"Dos ZXQ0.","1":"Uno otra vez."}', 'id 1 appears more than once'],
    ['an empty line where the source has text', '{"1":"  ","2":"Dos ZXQ0."}', 'id 1 is empty'],
    ['a lost glossary placeholder', '{"1":"Uno.","2":"Dos."}', 'id 2 lost a glossary term'],
    ['a non-string translation', '{"1":1,"2":"Dos ZXQ0."}', 'id 1 is missing'],
  ])('rejects %s', (_name, content, problem) => {
    expect(parseReply(content, [0, 1], texts)).toEqual({ ok: false, problem });
  });
});
