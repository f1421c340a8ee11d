import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writableDir } from './cache-dir';
import type { TokenizerParts } from './whisper-tokenizer';

/**
 * A compact copy of a model's tokenizer files, kept next to the optimised graphs
 * (`<cacheDir>/tokenizers`), so that a model load reads the vocabulary as one JSON array.
 *
 * Why: tokenizer.json holds the vocabulary as an object of 51,865 keys; parsing it and turning
 * it into an id-ordered array took 95–185 ms of CPU at every Whisper load (a fifth of the whole
 * load once the sessions come from the graph cache), reading and parsing the copy 23–27 ms
 * (bench/README.md, "Model load"). The copy is written from the parts read from the model's
 * files (whisper-tokenizer.ts), so it holds the same strings and ids.
 *
 * The file is two lines: the vocabulary, added tokens and clean-up flag; then the merges, parsed
 * only when encode() first needs them. The key covers both source files (path, size,
 * modification time) and this format; a file that does not parse as expected is written again.
 */

const FORMAT = 1;

type Head = { format: number; vocab: (string | null)[]; added: [number, string, boolean][]; cleanUp: boolean };

export function cachedTokenizerParts(modelDir: string, cacheDir: string | undefined, read: (modelDir: string) => TokenizerParts): TokenizerParts {
  const dir = cacheDir ? writableDir(join(cacheDir, 'tokenizers')) : undefined;
  const key = dir ? sourceKey(modelDir) : undefined;
  if (!dir || !key) return read(modelDir);
  const file = join(dir, `tokenizer-${key}.json`);
  if (existsSync(file)) {
    const parts = readCopy(file, () => read(modelDir).merges());
    if (parts) return parts;
    rmSync(file, { force: true }); // damaged or foreign: written again below
  }
  const parts = read(modelDir);
  const head: Head = { format: FORMAT, vocab: parts.vocab, added: parts.added, cleanUp: parts.cleanUp };
  // Written under a temporary name and renamed once complete (another worker may read it at once).
  const partial = `${file}.${process.pid}.${Date.now()}.partial`;
  try {
    writeFileSync(partial, `${JSON.stringify(head)}\n${JSON.stringify(parts.merges())}`);
    renameSync(partial, file);
  } catch {
    // A full or read-only disk: the model loads from its own files, as without a cache.
  } finally {
    rmSync(partial, { force: true });
  }
  return parts;
}

/** The copy's parts; `ownMerges` reads them from the model's files if the copy's second line does not parse. */
function readCopy(file: string, ownMerges: () => string[]): TokenizerParts | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const newline = text.indexOf('\n');
    if (newline < 0) return undefined;
    const head = JSON.parse(text.slice(0, newline)) as Partial<Head>;
    if (head.format !== FORMAT || !Array.isArray(head.vocab) || !Array.isArray(head.added) || typeof head.cleanUp !== 'boolean') return undefined;
    let merges: string[] | undefined;
    return {
      vocab: head.vocab,
      added: head.added,
      cleanUp: head.cleanUp,
      merges: () => (merges ??= parsedMerges(text.slice(newline + 1)) ?? ownMerges()),
    };
  } catch {
    return undefined;
  }
}

function parsedMerges(line: string): string[] | undefined {
  try {
    const merges = JSON.parse(line) as unknown;
    return Array.isArray(merges) && merges.every((merge) => typeof merge === 'string') ? merges : undefined;
  } catch {
    return undefined;
  }
}

/** Changes when either source file does (or this format); undefined when tokenizer.json is missing. */
function sourceKey(modelDir: string): string | undefined {
  const parts: unknown[] = [FORMAT, modelDir];
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
    try {
      const stat = statSync(join(modelDir, name));
      parts.push(name, stat.size, stat.mtimeMs);
    } catch {
      if (name === 'tokenizer.json') return undefined; // the model's own loader reports it
      parts.push(name, 'absent');
    }
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
