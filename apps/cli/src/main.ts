import { parseArgs } from 'node:util';
import { describeError, isAppError } from '@babelfish/core';
import { loadConfig } from '@babelfish/config';
import { createLogger } from '@babelfish/logger';
import { clientUsage, isClientCommand, runClientCommand } from './client/client-commands';
import { keysCommand } from './keys-command';
import { modelsCommand } from './models-command';
import { createDownloadBar } from './progress-bar';
import { subtitleRuleOptions, subtitleRulesFromFlags, subtitleRuleUsage } from './subtitle-rule-flags';
import { defaultOutDir, describeTranslations, translateCommand } from './translate-command';

const usage = `Usage: babelfish translate <video | subtitles> --to es[,fr…] [--from en|auto] [--engine apertium|whisper|nllb|marian|llm] [--out dir]
                          [--subtitles file.srt] [--glossary glossary.json] [--burn-in] [--dub] [--audio-track N]
                          [--llm-model name] [--style "formal"] [--bilingual] ${subtitleRuleUsage}
       babelfish keys create --owner <name> [--name <label>] | keys list [--owner <name>] | keys revoke <id>
       babelfish models pull [<model id>…] | models list
${clientUsage}

Transcribes the video's speech, translates it and writes SRT/VTT subtitles per language plus an
MP4 and an MKV carrying them as soft subtitle tracks. --audio-track picks the audio track to
transcribe (0 = the first); by default it is the one tagged with --from, else the default one.
--subtitles gives an SRT, WebVTT or ASS file to use instead of transcribing; a subtitle file given
alone as the input is translated and re-cut into subtitle files only (--from required).
--llm-model and --style go with --engine llm: another model on LLM_BASE_URL, and a style note.
--bilingual also writes <name>.<from>-<to>.srt/.vtt/.ass with the spoken line above each
translation (and adds that track to the videos). --max-line-chars, --max-lines and --reading-speed
(characters per second) override the subtitle rules of every target language for this job. A named --engine that cannot run here (no
model, no server) stops the command before transcribing, saying why.
models pull downloads models from MODEL_HUB_URL into MODEL_CACHE_DIR (default: WHISPER_MODEL and
the Silero VAD); models list shows what MODELS_DIR and the cache hold.`;

async function main(argv: string[]): Promise<number> {
  // The client commands talk to a running service and take their own flags.
  if (isClientCommand(argv[0])) return runClientCommand(argv, { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text), env: process.env });
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string', short: 't' },
      from: { type: 'string', short: 'f' },
      engine: { type: 'string', short: 'e' },
      out: { type: 'string', short: 'o' },
      glossary: { type: 'string', short: 'g' },
      subtitles: { type: 'string', short: 's' },
      'burn-in': { type: 'boolean' },
      dub: { type: 'boolean' },
      'audio-track': { type: 'string' },
      'llm-model': { type: 'string' },
      style: { type: 'string' },
      bilingual: { type: 'boolean' },
      ...subtitleRuleOptions,
      owner: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, video] = positionals;
  if (command === 'keys' && !values.help) {
    process.stdout.write(`${await keysCommand(loadConfig(), { action: positionals[1], owner: values.owner, name: values.name, id: positionals[2] })}\n`);
    return 0;
  }
  if (command === 'models' && !values.help) {
    const bar = createDownloadBar();
    const said = await modelsCommand(loadConfig(), { action: positionals[1], ids: positionals.slice(2) }, (progress) => bar.update(progress));
    bar.done();
    process.stdout.write(`${said}\n`);
    return 0;
  }
  if (values.help || command !== 'translate' || !video || !values.to) {
    process.stderr.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  // Logs go to stderr as JSON; keep them to warnings so the progress bar stays readable.
  const logger = createLogger('cli', config.logLevel === 'debug' ? 'debug' : 'warn');
  const { written, job } = await translateCommand(config, logger, {
    video,
    to: values.to.split(',').map((code) => code.trim().toLowerCase()).filter(Boolean),
    from: values.from?.trim().toLowerCase(),
    engine: values.engine,
    out: values.out ?? defaultOutDir(video),
    subtitles: values.subtitles,
    glossaryFile: values.glossary,
    burnIn: values['burn-in'],
    dub: values.dub,
    audioTrack: values['audio-track'],
    llmModel: values['llm-model'],
    style: values.style,
    bilingual: values.bilingual,
    subtitleRules: subtitleRulesFromFlags(values),
  });
  process.stdout.write(`Translated by:\n${describeTranslations(job).join('\n')}\n`);
  process.stdout.write(`Outputs:\n${written.map((file) => `  ${file}`).join('\n')}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = isAppError(error) ? error.code : 'INTERNAL';
    process.stderr.write(`\nbabelfish: ${code}: ${describeError(error)}\n`);
    process.exit(1);
  },
);
