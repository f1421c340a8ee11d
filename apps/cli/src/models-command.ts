import { AppError } from '@babelfish/core';
import type { Config } from '@babelfish/config';
import { ensureModelFiles, hasAllFiles, listModels, modelFiles, VAD_MODEL_ID, type DownloadListener, type ModelSettings } from '@babelfish/ml';

/**
 * `babelfish models pull [<id>…]` and `babelfish models list`: fill the model cache ahead of time
 * (a Docker image build, an air-gapped host seeded once) and see what is installed where. With
 * no ids, pull fetches what the first transcription would: WHISPER_MODEL and the Silero VAD.
 */
export async function modelsCommand(config: Config, args: { action?: string; ids: string[] }, onProgress?: DownloadListener): Promise<string> {
  switch (args.action) {
    case 'pull':
      return pull(config, args.ids.length > 0 ? args.ids : [config.models.whisper, VAD_MODEL_ID], onProgress);
    case 'list':
      return list(config);
    default:
      throw new AppError('BAD_REQUEST', 'Use: babelfish models pull [<model id>…] | models list');
  }
}

async function pull(config: Config, ids: string[], onProgress?: DownloadListener): Promise<string> {
  // An explicit pull downloads even where ALLOW_REMOTE_MODELS=false: seeding the cache of an
  // offline deployment is what it is for.
  const settings: ModelSettings = { modelsDir: config.models.dir, cacheDir: config.models.cacheDir, allowRemote: true, hubUrl: config.models.hubUrl };
  const lines: string[] = [];
  for (const id of ids) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(id) || id.includes('..')) throw new AppError('BAD_REQUEST', `Not a model id (<org>/<name>): ${id}`);
    const dtype = /whisper/i.test(id) ? config.models.whisperDtype : 'q8';
    const outcome = await ensureModelFiles(id, { dtype, settings, onProgress });
    const cached = outcome === 'downloaded' || hasAllFiles(settings.cacheDir, id, modelFiles(id, dtype));
    const dir = cached ? settings.cacheDir : settings.modelsDir;
    const installed = listModels(dir).find((model) => model.modelId === id);
    const size = installed ? ` (${fileCount(installed.files)}, ${formatBytes(installed.bytes)})` : '';
    lines.push(`${id}: ${outcome === 'downloaded' ? 'downloaded into' : 'already in'} ${dir}${size}`);
  }
  return lines.join('\n');
}

function list(config: Config): string {
  const section = (label: string, dir: string) => {
    const models = listModels(dir);
    const rows = models.map((model) => `  ${model.modelId.padEnd(40)} ${fileCount(model.files).padStart(9)}  ${formatBytes(model.bytes).padStart(9)}`);
    return [`${label} ${dir}`, ...(rows.length > 0 ? rows : ['  (none)'])].join('\n');
  };
  return `${section('MODELS_DIR', config.models.dir)}\n${section('MODEL_CACHE_DIR', config.models.cacheDir)}`;
}

function fileCount(files: number): string {
  return `${files} file${files === 1 ? '' : 's'}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
