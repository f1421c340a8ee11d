import { findLanguage, searchLanguages, type Language } from '@babelfish/core';
import { h, replaceChildren, uid } from '../dom';
import type { LanguageInfo } from '../types';

/**
 * A searchable language picker (WAI-ARIA combobox + listbox): type a name (English or native)
 * or a code in any form (`de`, `ger`, `deu`); ↑/↓ move through the matches, Enter picks, Escape
 * closes, Backspace in the empty box removes the last choice. Choices show as removable chips.
 * Options an engine cannot reach stay listed but are marked and cannot be picked.
 */

export type LanguagePicker = {
  element: HTMLElement;
  values(): string[];
  clear(): void;
  /** `undefined`: everything can be picked. */
  setAvailable(available: ReadonlySet<string> | undefined, reason: string): void;
  onChange(listener: () => void): void;
};

export type PickerOptions = {
  label: string;
  languages: readonly LanguageInfo[];
  /** Several choices (targets) or one (the spoken language). */
  multiple: boolean;
  /** Prefix of the test ids: `<testid>-search`, `<testid>-option-<code>`, `<testid>-chip-<code>`. */
  testid: string;
  /** Shown when nothing is picked (single choice: what an empty choice means, "Auto-detect"). */
  emptyText: string;
};

/** Options rendered at once; typing narrows the list (every language is still reachable). */
const MAX_SHOWN = 60;

export function languagePicker(options: PickerOptions): LanguagePicker {
  const { languages, multiple, testid } = options;
  const infoByCode = new Map(languages.map((language) => [language.code, language]));
  // The core table does the matching (code forms, aliases such as zh → zh-Hans, names).
  const searchable = languages.flatMap((language) => findLanguage(language.code) ?? []);
  const inputId = uid(`${testid}-search`);
  const listId = uid(`${testid}-list`);
  const hintId = uid(`${testid}-hint`);

  let chosen: string[] = [];
  let available: ReadonlySet<string> | undefined;
  let unavailableReason = '';
  let shown: Language[] = [];
  let active = -1;
  const listeners: (() => void)[] = [];

  const input = h('input', {
    id: inputId,
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-describedby': hintId,
    placeholder: 'Type a language or code',
    testid: `${testid}-search`,
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', hidden: true, 'aria-label': options.label, testid: `${testid}-list` });
  if (multiple) list.setAttribute('aria-multiselectable', 'true');
  const chips = h('div', { class: 'picker-chips', testid: `${testid}-chosen` });
  const hint = h('span', { id: hintId, class: 'visually-hidden' }, 'Arrow keys move through the matches, Enter picks one.');

  const canPick = (code: string) => !available || available.has(code);
  const optionId = (code: string) => `${listId}-${code}`;

  const renderChips = () => {
    if (chosen.length === 0) return replaceChildren(chips, h('span', { class: 'muted picker-empty' }, options.emptyText));
    replaceChildren(
      chips,
      ...chosen.map((code) => {
        const name = infoByCode.get(code)?.name ?? code;
        return h('button', { type: 'button', class: 'chip', 'aria-label': `Remove ${name}`, testid: `${testid}-chip-${code}`, onclick: () => toggle(code) }, `${name} `, h('span', { 'aria-hidden': 'true' }, '×'));
      }),
    );
  };

  const renderList = () => {
    shown = searchLanguages(input.value, searchable).slice(0, MAX_SHOWN);
    if (active >= shown.length) active = shown.length - 1;
    replaceChildren(
      list,
      ...shown.map((language, index) => {
        const info = infoByCode.get(language.code);
        const selected = chosen.includes(language.code);
        const ok = canPick(language.code);
        const native = info?.nativeName && info.nativeName !== language.name ? ` · ${info.nativeName}` : '';
        return h(
          'li',
          {
            id: optionId(language.code),
            role: 'option',
            class: `picker-option${index === active ? ' active' : ''}${ok ? '' : ' unavailable'}`,
            'aria-selected': String(selected),
            'aria-disabled': ok ? undefined : 'true',
            title: ok ? undefined : unavailableReason,
            'data-code': language.code,
            testid: `${testid}-option-${language.code}`,
            // mousedown, not click: the box keeps its focus, so the list stays open for more picks.
            onmousedown: (event: Event) => {
              event.preventDefault();
              toggle(language.code);
            },
          },
          h('span', { class: 'picker-name' }, `${language.name}${native}`),
          h('span', { class: 'picker-code' }, language.code),
          ok ? null : h('span', { class: 'picker-note' }, ' not available'),
        );
      }),
      shown.length === 0 ? h('li', { class: 'picker-none muted', role: 'presentation' }, 'No language matches') : null,
    );
    const current = shown[active];
    if (current) {
      input.setAttribute('aria-activedescendant', optionId(current.code));
      list.querySelector(`#${CSS.escape(optionId(current.code))}`)?.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const open = (isOpen: boolean) => {
    list.hidden = !isOpen;
    input.setAttribute('aria-expanded', String(isOpen));
    if (isOpen) renderList();
  };

  const changed = () => {
    renderChips();
    if (!list.hidden) renderList();
    for (const listener of listeners) listener();
  };

  function toggle(code: string): void {
    if (chosen.includes(code)) {
      chosen = chosen.filter((candidate) => candidate !== code);
    } else {
      if (!canPick(code)) return;
      chosen = multiple ? [...chosen, code] : [code];
      input.value = '';
      if (!multiple) open(false);
    }
    changed();
  }

  input.addEventListener('focus', () => open(true));
  input.addEventListener('blur', () => open(false));
  input.addEventListener('input', () => {
    active = 0;
    open(true);
  });
  input.addEventListener('keydown', (event) => {
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (step !== 0) {
      event.preventDefault();
      if (list.hidden) open(true);
      active = shown.length === 0 ? -1 : (active + step + shown.length) % shown.length;
      renderList();
    } else if (event.key === 'Enter') {
      event.preventDefault(); // never submits the form from the search box
      const current = shown[active];
      if (!list.hidden && current) toggle(current.code);
    } else if (event.key === 'Escape') {
      if (!list.hidden) event.preventDefault();
      open(false);
    } else if (event.key === 'Backspace' && input.value === '' && chosen.length > 0) {
      toggle(chosen[chosen.length - 1]!);
    }
  });

  renderChips();
  const element = h(
    'div',
    { class: 'picker', testid },
    h('label', { for: inputId }, options.label),
    chips,
    h('div', { class: 'picker-box' }, input, list),
    hint,
  );

  return {
    element,
    values: () => [...chosen],
    clear() {
      chosen = [];
      input.value = '';
      changed();
    },
    setAvailable(next, reason) {
      available = next;
      unavailableReason = reason;
      const kept = chosen.filter(canPick);
      if (kept.length !== chosen.length) {
        chosen = kept;
        changed();
      } else if (!list.hidden) {
        renderList();
      }
    },
    onChange: (listener) => void listeners.push(listener),
  };
}
