import { parentPort, workerData } from 'node:worker_threads';
import { configureModels, getWhisper, type WhisperModel } from '@babelfish/ml';
import { serializeError, type WhisperReply, type WhisperRequest, type WhisperThreadData } from './whisper-thread-protocol';

/**
 * Runs inside the worker's Whisper thread: loads the model once, then answers requests.
 * onnxruntime-node runs each inference step synchronously on its calling thread (0.5–2 s per
 * 30 s window for whisper-base on 2 cores, several seconds under load or with larger models),
 * so here it blocks this thread's event loop, not the one renewing BullMQ locks.
 */

if (!parentPort) throw new Error('whisper-thread-entry must run in a worker thread');
const port = parentPort;
const data = workerData as WhisperThreadData;
const send = (reply: WhisperReply) => port.postMessage(reply);

configureModels(data.models);
const loaded = await getWhisper(data.modelId, data.dtype, data.options).then(
  (model) => model,
  (error: unknown) => {
    send({ type: 'load-failed', error: serializeError(error) });
    return undefined; // the host terminates the thread
  },
);
if (loaded) serve(loaded);

/** Transcriptions in flight or waiting for the model, by request id, so a cancel can reach them. */
const running = new Map<number, AbortController>();

function serve(model: WhisperModel): void {
  port.on('message', (request: WhisperRequest) => {
    if (request.op === 'cancel') {
      running.get(request.id)?.abort();
      return;
    }
    // WhisperModel runs its calls one at a time, so requests may arrive while one is running.
    const work: Promise<unknown> = request.op === 'detect' ? model.detectLanguage(request.audio) : transcribe(model, request);
    work.then(
      (value) => send({ type: 'result', id: request.id, value: value as never }),
      (error: unknown) => send({ type: 'error', id: request.id, error: serializeError(error) }),
    ).finally(() => running.delete(request.id));
  });
  send({ type: 'ready' });
}

function transcribe(model: WhisperModel, request: Extract<WhisperRequest, { op: 'transcribe' | 'words' }>): Promise<unknown> {
  const controller = new AbortController();
  running.set(request.id, controller);
  const options = {
    language: request.language,
    task: request.task,
    withTokens: request.withTokens,
    prompt: request.prompt,
    temperature: request.temperature,
    signal: controller.signal,
    onProgress: request.progress ? (percent: number) => send({ type: 'progress', id: request.id, percent }) : undefined,
  };
  return request.op === 'words' ? model.transcribeWords(request.audio, options) : model.transcribe(request.audio, options);
}
