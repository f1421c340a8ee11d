import { parentPort, workerData } from 'node:worker_threads';
import { configureModels, translateTextsInProcess, type DownloadProgress } from '@babelfish/ml';
import type { TextModelThreadData, TextModelThreadMessage, TextModelThreadReply } from './text-model-thread-protocol';
import { serializeError } from './whisper-thread-protocol';

/**
 * Runs inside the worker's text-model thread: loads each NLLB or Marian pipeline on first use
 * (once per thread) and translates batches. onnxruntime-node runs every decoder step
 * synchronously on the calling thread, so the blocking happens here, not on the event loop
 * that renews BullMQ locks. Requests run one after another: two translate jobs would only
 * compete for the same cores, and one at a time keeps each job's progress steady.
 */

if (!parentPort) throw new Error('text-model-thread-entry must run in a worker thread');
const port = parentPort;
const data = workerData as TextModelThreadData;
const send = (reply: TextModelThreadReply) => port.postMessage(reply);

configureModels(data.models);

let queue: Promise<unknown> = Promise.resolve();
/** The requests queued or running here, so that an abort message reaches the one it names. */
const running = new Map<number, AbortController>();
port.on('message', (message: TextModelThreadMessage) => {
  if (message.type === 'abort') {
    running.get(message.id)?.abort();
    return;
  }
  const request = message;
  const controller = new AbortController();
  running.set(request.id, controller);
  const onProgress = request.progress ? (percent: number) => send({ type: 'progress', id: request.id, percent }) : undefined;
  const onDownload = request.download ? (progress: DownloadProgress) => send({ type: 'download', id: request.id, progress }) : undefined;
  const work = queue.then(() =>
    translateTextsInProcess({ modelId: request.modelId, texts: request.texts, options: request.options, onProgress, onDownload, signal: controller.signal }),
  );
  queue = work.catch(() => undefined);
  work
    .then(
    (texts) => send({ type: 'result', id: request.id, value: texts }),
    (error: unknown) => send({ type: 'error', id: request.id, error: serializeError(error) }),
    )
    .finally(() => running.delete(request.id));
});
send({ type: 'ready' });
