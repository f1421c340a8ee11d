// Entry point of the worker's Whisper and text-model threads. The sources are TypeScript run through tsx, and
// tsx's loader (inherited through execArgv) is not yet in place when a worker thread loads its
// own entry file, so this plain-JS file registers tsx in the thread first, then imports the real
// entry. Run from compiled JavaScript, the entry is a .js file and nothing is registered.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
