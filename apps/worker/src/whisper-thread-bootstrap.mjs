// Entry point of the worker's Whisper and text-model threads. The sources are TypeScript run through tsx, and
// tsx's loader (inherited through execArgv) is not yet in place when a worker thread loads its
// own entry file, so this plain-JS file registers tsx in the thread first, then imports the real
// entry. Compiled (dist/, scripts/build-dist.mjs), a thread starts on its .js entry directly and
// this file is not used (thread-script.ts).
//
// `preload` names large plain-JavaScript packages the thread will need (transformers.js: one
// 1.3 MB bundle). They are imported before tsx is registered: through tsx's loader the same
// import costs 150–200 MB more resident memory (measured in a thread: 203 MB vs 60 MB) and
// several times the time; once loaded, later imports of them are answered from the module cache.
import { workerData } from 'node:worker_threads';

for (const name of workerData.preload ?? []) await import(name);
if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
