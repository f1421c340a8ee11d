import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, findLanguage } from '@babelfish/core';
import { runTool, type TtsEngine } from './tts';

/**
 * Piper (rhasspy/piper): neural voices as ONNX files, far more natural than espeak-ng. Used for
 * a language when the `piper` command and a voice for it are installed; voices are the
 * `<lang>_<REGION>-<name>-<quality>.onnx` files (with their `.onnx.json`) in `voicesDir`.
 * No voice ships with Babelfish: without one this engine simply supports nothing.
 */

export type PiperOptions = { command?: string; voicesDir?: string };

export class PiperTtsEngine implements TtsEngine {
  readonly name = 'piper';
  private readonly command: string;
  private readonly voicesDir: string | undefined;
  private voices?: Promise<Map<string, string>>;

  constructor(options: PiperOptions = {}) {
    this.command = options.command ?? 'piper';
    this.voicesDir = options.voicesDir;
  }

  async supports(language: string): Promise<boolean> {
    return (await this.voiceFiles()).has(tableCode(language));
  }

  async synthesize(text: string, language: string, outputWav: string, signal?: AbortSignal): Promise<void> {
    const model = (await this.voiceFiles()).get(tableCode(language));
    if (!model) throw new AppError('BAD_REQUEST', `No Piper voice for "${language}" in ${this.voicesDir ?? '(no voices folder)'}`);
    // Text on stdin (piper reads one utterance per line), never on the command line.
    await runTool(this.command, ['--model', model, '--output_file', outputWav], signal, `${text.replace(/\s+/g, ' ').trim()}\n`);
  }

  /** Table code → voice model path, the first voice per language in name order (`zh_TW-…` is zh-Hant). */
  private voiceFiles(): Promise<Map<string, string>> {
    this.voices ??= (async () => {
      const byLanguage = new Map<string, string>();
      if (!this.voicesDir) return byLanguage;
      const names = await readdir(this.voicesDir).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const match = /^([a-z]{2,3})_([A-Z]{2})-.+\.onnx$/.exec(name);
        const code = match ? tableCode(`${match[1]}-${match[2]}`) : undefined;
        if (code && names.includes(`${name}.json`) && !byLanguage.has(code)) byLanguage.set(code, join(this.voicesDir, name));
      }
      // A voice without the piper command is no voice at all.
      if (byLanguage.size > 0 && !(await runTool(this.command, ['--help']).then(() => true, () => false))) byLanguage.clear();
      return byLanguage;
    })();
    return this.voices;
  }
}

/** `zh`, `zh-CN`, `zho` → `zh-Hans`: voices and requests meet on the language table's code. */
function tableCode(language: string): string {
  return findLanguage(language)?.code ?? language;
}
