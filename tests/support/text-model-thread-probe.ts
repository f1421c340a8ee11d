import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger } from '@babelfish/logger';
import { configureModels, translateTextsInProcess, type TextModelRunner } from '@babelfish/ml';
import { createThreadedTextModels } from '../../apps/worker/src/text-model-thread';

/**
 * Run by tests/reliability/text-model-thread.test.ts under tsx (the worker's thread module uses
 * import.meta, which Jest's CommonJS transform cannot load): translates the same texts with the
 * worker's text-model thread and on this thread, each after a warm-up (so loading is not
 * counted), and prints how long this thread's event loop was blocked at most during each, the
 * progress the thread reported, and the error codes that came back across it.
 * Usage: text-model-thread-probe.ts <modelsDir> <modelId> <text>...
 */

const [modelsDir, modelId, ...texts] = process.argv.slice(2);
if (!modelsDir || !modelId || texts.length === 0) throw new Error('usage: text-model-thread-probe.ts <modelsDir> <modelId> <text>...');
const models = { modelsDir, cacheDir: mkdtempSync(join(tmpdir(), 'bf-probe-cache-')), allowRemote: false };
configureModels(models);
const request = { modelId, texts, options: { src_lang: 'eng_Latn', tgt_lang: 'spa_Latn' } };

async function measure(run: TextModelRunner) {
  await run({ ...request, texts: texts.slice(0, 1) }); // loads the model
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = performance.now();
  const output = await run(request);
  const ms = Math.round(performance.now() - started);
  histogram.disable();
  return { output, ms, maxBlockedMs: Math.round(histogram.max / 1e6) };
}

const codeOf = (work: Promise<unknown>) => work.then(() => 'none', (error: { code?: string; name?: string }) => `${error.name}:${error.code}`);

const threaded = createThreadedTextModels(models, createLogger('probe', 'warn'));
const inThread = await measure(threaded.run);
const progress: number[] = [];
await threaded.run({ ...request, texts: Array.from({ length: 10 }, () => texts[0]!), onProgress: (percent) => progress.push(percent) });
const errors = {
  unknownLanguage: await codeOf(threaded.run({ ...request, options: { src_lang: 'eng_Latn', tgt_lang: 'xxx_Latn' } })),
  missingModel: await codeOf(threaded.run({ ...request, modelId: 'Tests/not-installed' })),
};
// Canceled as its first batch lands: CANCELED at once, and the thread still serves the next request.
const cancelController = new AbortController();
const canceledCode = await codeOf(
  threaded.run({ ...request, texts: Array.from({ length: 24 }, () => texts[0]!), onProgress: () => cancelController.abort(), signal: cancelController.signal }),
);
const afterCancel = await threaded.run(request);
const canceled = { code: canceledCode, preAborted: await codeOf(threaded.run({ ...request, signal: AbortSignal.abort() })), afterwards: afterCancel };
await threaded.close();
const inProcess = await measure(translateTextsInProcess);
console.log(JSON.stringify({ thread: inThread, inProcess, progress, errors, canceled }));
