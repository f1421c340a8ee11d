import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a model thread starts, from source or compiled. From source (tsx, development and the
 * tests) the thread starts on whisper-thread-bootstrap.mjs, which registers tsx in the thread and
 * then imports the `.ts` entry. Compiled (scripts/build-dist.mjs: one flat dist/ folder, where this
 * code sits in a `.js` file next to whisper-thread-entry.js and text-model-thread-entry.js), the
 * thread starts on the `.js` entry itself: no loader, no bootstrap.
 */
export function threadScript(name: 'whisper-thread-entry' | 'text-model-thread-entry'): { script: URL; entry: string } {
  const compiled = path.extname(fileURLToPath(import.meta.url)) === '.js';
  const entry = new URL(`./${name}${compiled ? '.js' : '.ts'}`, import.meta.url);
  return { script: compiled ? entry : new URL('./whisper-thread-bootstrap.mjs', import.meta.url), entry: entry.href };
}
