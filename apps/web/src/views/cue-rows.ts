import { formatEditorTime, parseEditorTime, validateSegments } from '@babelfish/core';
import { h, uid } from '../dom';
import type { Cue, Problem } from '../types';

type Row = { item: HTMLElement; start: HTMLInputElement; end: HTMLInputElement; text: HTMLTextAreaElement; error: HTMLElement };

/**
 * The editable cue list: one row per cue with start/end/text fields and a message slot that the
 * fields point at (aria-describedby) when they are invalid.
 */
export function cueRows(onEdit: () => void): {
  element: HTMLOListElement;
  load: (cues: Cue[], language: string) => void;
  read: () => { cues: Cue[]; problems: Problem[] };
  showProblems: (problems: Problem[]) => void;
} {
  const element = h('ol', { class: 'cue-editor', testid: 'cue-editor' });
  let rows: Row[] = [];

  function makeRow(cue: Cue, index: number, language: string): Row {
    const ids = { start: uid('cue-start'), end: uid('cue-end'), text: uid('cue-text'), error: uid('cue-error') };
    const start = h('input', { id: ids.start, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', value: formatEditorTime(cue.start), testid: 'cue-start', oninput: onEdit });
    const end = h('input', { id: ids.end, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', value: formatEditorTime(cue.end), testid: 'cue-end', oninput: onEdit });
    const text = h('textarea', { id: ids.text, rows: 2, lang: language, testid: 'cue-text', oninput: onEdit });
    text.value = cue.text;
    const error = h('p', { id: ids.error, class: 'cue-error', testid: 'cue-error', hidden: true });
    const item = h(
      'li',
      { class: 'cue-row', testid: 'cue-row', 'data-index': index },
      h('span', { class: 'cue-number', 'aria-hidden': 'true' }, String(index + 1)),
      h('div', { class: 'field time' }, h('label', { for: ids.start }, `Cue ${index + 1} start`), start),
      h('div', { class: 'field time' }, h('label', { for: ids.end }, `Cue ${index + 1} end`), end),
      h('div', { class: 'field text' }, h('label', { for: ids.text }, `Cue ${index + 1} text`), text),
      error,
    );
    return { item, start, end, text, error };
  }

  function showProblems(problems: Problem[]): void {
    rows.forEach((row, index) => {
      const mine = problems.filter((problem) => problem.index === index);
      for (const field of ['start', 'end', 'text'] as const) {
        const input = row[field];
        const invalid = mine.some((problem) => problem.field === field);
        input.setAttribute('aria-invalid', String(invalid));
        if (invalid) input.setAttribute('aria-describedby', row.error.id);
        else input.removeAttribute('aria-describedby');
      }
      row.error.textContent = mine.map((problem) => problem.message).join(' ');
      row.error.hidden = mine.length === 0;
      row.item.classList.toggle('invalid', mine.length > 0);
    });
    // Move focus to the first bad field so keyboard users land where the fix is needed.
    const first = problems[0];
    if (first) rows[first.index]?.[first.field].focus();
  }

  return {
    element,
    load(cues, language) {
      rows = cues.map((cue, index) => makeRow(cue, index, language));
      element.replaceChildren(...rows.map((row) => row.item));
    },
    read() {
      const cues = rows.map((row) => ({ start: parseEditorTime(row.start.value), end: parseEditorTime(row.end.value), text: row.text.value }));
      // Same rules as the server; unparseable times get a format hint instead of "must be ≥ 0".
      const problems = validateSegments(cues).map((problem) => {
        const value = problem.field === 'text' ? 0 : cues[problem.index]![problem.field];
        return Number.isNaN(value) ? { ...problem, message: `Cue ${problem.index + 1}: ${problem.field} must look like 00:01:02.500` } : problem;
      });
      return { cues, problems };
    },
    showProblems,
  };
}
