import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, findLanguage } from '@babelfish/core';

/**
 * Text to speech behind one interface, so a better voice plugs in where it is installed:
 * espeak-ng (Debian, offline, ~100 languages, robotic but intelligible) is always there; a
 * neural engine (Piper, see tts-piper.ts) is preferred for a language when its voice is present.
 */
export interface TtsEngine {
  readonly name: string;
  /** True when a voice for this ISO 639-1 language is installed here. */
  supports(language: string): Promise<boolean>;
  /** Speaks `text` into a WAV file (any sample rate, mono). */
  synthesize(text: string, language: string, outputWav: string, signal?: AbortSignal): Promise<void>;
}

/** espeak-ng voice per table code, where the default voice is not the language code itself. */
const espeakVoices: Record<string, string> = { en: 'en-us', fr: 'fr-fr', 'zh-Hans': 'cmn', 'zh-Hant': 'cmn', pt: 'pt-br' };
const TIMEOUT_MS = 60_000;

export type EspeakOptions = { command?: string; /** Speaking rate; espeak-ng's own default is 175. */ wordsPerMinute?: number };

export class EspeakTtsEngine implements TtsEngine {
  readonly name = 'espeak-ng';
  private readonly command: string;
  private readonly wordsPerMinute: number;
  private voices?: Promise<Set<string>>;

  constructor(options: EspeakOptions = {}) {
    this.command = options.command ?? 'espeak-ng';
    // espeak's default (175 wpm) is hard to follow; at 145 the words stay clear even over the
    // ducked original (tried on es_everest: Whisper starts losing words from about 155).
    this.wordsPerMinute = options.wordsPerMinute ?? 145;
  }

  voiceFor(language: string): string {
    // Any code form (`zh`, `zho`) → the table's code; espeak-ng names most voices by it.
    const code = findLanguage(language)?.code ?? language;
    return espeakVoices[code] ?? code;
  }

  async supports(language: string): Promise<boolean> {
    return (await this.installedVoices()).has(this.voiceFor(language));
  }

  async synthesize(text: string, language: string, outputWav: string, signal?: AbortSignal): Promise<void> {
    if (!(await this.supports(language))) {
      throw new AppError('BAD_REQUEST', `espeak-ng has no voice for "${language}"`);
    }
    // The text goes through a file, not argv: a cue starting with "-" must never read as an option.
    const dir = await mkdtemp(join(tmpdir(), 'babelfish-tts-'));
    try {
      const input = join(dir, 'text.txt');
      await writeFile(input, text, 'utf8');
      const args = ['-v', this.voiceFor(language), '-s', String(this.wordsPerMinute), '-b', '1', '-w', outputWav, '-f', input];
      await runTool(this.command, args, signal);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Voice names from `espeak-ng --voices` (language column), read once; none when it is not installed. */
  private installedVoices(): Promise<Set<string>> {
    this.voices ??= captureTool(this.command, ['--voices'])
      .then((listing) => new Set(listing.split('\n').slice(1).map((line) => line.trim().split(/\s+/)[1] ?? '').filter(Boolean)))
      .catch(() => new Set<string>());
    return this.voices;
  }
}

/** Picks the first engine with a voice for the language (engines in order of preference). */
export async function selectTtsEngine(engines: readonly TtsEngine[], language: string): Promise<TtsEngine | undefined> {
  for (const engine of engines) if (await engine.supports(language)) return engine;
  return undefined;
}

/** Runs a tool with an argument array (no shell); fails with its stderr. */
export function runTool(command: string, args: string[], signal?: AbortSignal, stdin?: string): Promise<void> {
  return captureTool(command, args, signal, stdin).then(() => undefined);
}

function captureTool(command: string, args: string[], signal?: AbortSignal, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-2000)));
    if (stdin !== undefined) child.stdin?.end(stdin, 'utf8');
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new AppError('MEDIA_PROCESSING_FAILED', `${command} could not be run: ${error.message}`, { tool: command }, { cause: error }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new AppError('MEDIA_PROCESSING_FAILED', `${command} exited with code ${String(code)}: ${err.trim()}`, { tool: command }));
    });
  });
}
