/**
 * A tiny element builder instead of a framework: views build real DOM nodes (no innerHTML, so
 * server-provided names and subtitle text can never inject markup).
 */
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'testid') {
      element.dataset.testid = String(value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children in one go. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

let nextId = 0;
/** Unique ids for label/for and aria-describedby pairs. */
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

export type LiveRegion = HTMLElement & { say: (text: string, tone?: 'info' | 'error' | 'success') => void };

/** A live region: screen readers announce each message without moving focus. */
export function liveRegion(testid: string, politeness: 'polite' | 'assertive' = 'polite'): LiveRegion {
  const region = h('p', { class: 'status-message', role: politeness === 'assertive' ? 'alert' : 'status', 'aria-live': politeness, testid });
  return Object.assign(region, {
    say(text: string, tone: 'info' | 'error' | 'success' = 'info') {
      region.textContent = text;
      region.dataset.tone = tone;
    },
  });
}
