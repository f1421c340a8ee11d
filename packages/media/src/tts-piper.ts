import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@babelfish/core';
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
    return (await this.voiceFiles()).has(language);
  }

  async synthesize(text: string, language: string, outputWav: string, signal?: AbortSignal): Promise<void> {
    const model = (await this.voiceFiles()).get(language);
    if (!model) throw new AppError('BAD_REQUEST', `No Piper voice for "${language}" in ${this.voicesDir ?? '(no voices folder)'}`);
    // Text on stdin (piper reads one utterance per line), never on the command line.
    await runTool(this.command, ['--model', model, '--output_file', outputWav], signal, `${text.replace(/\s+/g, ' ').trim()}\n`);
  }

  /** language → voice model path, the first voice per language in name order. */
  private voiceFiles(): Promise<Map<string, string>> {
    this.voices ??= (async () => {
      const byLanguage = new Map<string, string>();
      if (!this.voicesDir) return byLanguage;
      const names = await readdir(this.voicesDir).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const match = /^([a-z]{2})_[A-Z]{2}-.+\.onnx$/.exec(name);
        if (match?.[1] && names.includes(`${name}.json`) && !byLanguage.has(match[1])) byLanguage.set(match[1], join(this.voicesDir, name));
      }
      // A voice without the piper command is no voice at all.
      if (byLanguage.size > 0 && !(await runTool(this.command, ['--help']).then(() => true, () => false))) byLanguage.clear();
      return byLanguage;
    })();
    return this.voices;
  }
}
