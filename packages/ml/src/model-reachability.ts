import { hasModelFiles, modelSettings, type ModelSettings } from './model-env';

/**
 * Whether a model can really be had here: its files are installed (models dir or cache), or
 * remote loading is on *and* the hub answers for it. "Remote loading on" alone promised NLLB on
 * every offline machine, so a job would transcribe for minutes and then fail on the download;
 * asking the hub for the model's config.json (a few hundred bytes) settles it first. Answers
 * are remembered for a while: a reachable model for 10 minutes, an unreachable one for 30 s.
 */

const REACHABLE_TTL_MS = 10 * 60_000;
const UNREACHABLE_TTL_MS = 30_000;
const PROBE_TIMEOUT_MS = 3000;

const answers = new Map<string, { at: number; reachable: Promise<boolean> }>();

export function isModelInstalled(modelId: string, settings: ModelSettings = modelSettings()): boolean {
  return hasModelFiles(settings.modelsDir, modelId) || hasModelFiles(settings.cacheDir, modelId);
}

export async function canObtainModel(modelId: string, settings: ModelSettings = modelSettings()): Promise<boolean> {
  if (isModelInstalled(modelId, settings)) return true;
  if (!settings.allowRemote || !settings.hubUrl) return false;
  const key = `${settings.hubUrl}|${modelId}`;
  const known = answers.get(key);
  if (known) {
    const ttl = (await known.reachable) ? REACHABLE_TTL_MS : UNREACHABLE_TTL_MS;
    if (Date.now() - known.at < ttl) return known.reachable;
  }
  const reachable = probe(`${settings.hubUrl.replace(/\/+$/, '')}/${modelId}/resolve/main/config.json`);
  answers.set(key, { at: Date.now(), reachable });
  return reachable;
}

/**
 * Why `modelId` cannot be had here, in words for the person who asked for it (the API's 422,
 * the CLI's message), or undefined when it can.
 */
export async function whyModelUnobtainable(modelId: string, settings: ModelSettings = modelSettings()): Promise<string | undefined> {
  if (await canObtainModel(modelId, settings)) return undefined;
  const missing = `its model ${modelId} is not installed (MODELS_DIR or MODEL_CACHE_DIR)`;
  if (!settings.allowRemote) return `${missing} and remote model loading is off (ALLOW_REMOTE_MODELS=false)`;
  if (!settings.hubUrl) return `${missing} and no model hub is configured (MODEL_HUB_URL)`;
  return `${missing} and the model hub (MODEL_HUB_URL) does not serve it (unreachable, or no such model)`;
}

async function probe(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return response.ok;
  } catch {
    return false; // refused, unresolvable, timed out: not obtainable now
  }
}
