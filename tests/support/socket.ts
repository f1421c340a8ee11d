import { io, type Socket } from 'socket.io-client';
import type { ProgressEvent } from '@babelfish/core';

/** Subscribes to a job's room and collects progress events until it completes or fails. */
export async function watchJob(baseUrl: string, jobId: string, options: { apiKey?: string; timeoutMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? 170_000;
  const socket: Socket = io(baseUrl, { transports: ['websocket'], reconnection: false, auth: { apiKey: options.apiKey } });
  const events: ProgressEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<ProgressEvent>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`job ${jobId} did not finish in ${timeoutMs} ms; last: ${JSON.stringify(events.at(-1))}`)), timeoutMs);
    socket.on('progress', (event: ProgressEvent) => {
      if (event.jobId !== jobId) return;
      events.push(event);
      if (event.status === 'completed' || event.status === 'failed' || event.status === 'canceled') {
        clearTimeout(timer);
        resolve(event);
      }
    });
  });
  const snapshot = await new Promise<{ job?: { status: string }; error?: unknown }>((resolve) => {
    socket.emit('subscribe', { jobId }, resolve);
  });
  return {
    events,
    finished,
    snapshot,
    close: () => {
      // A watch closed before its job ended (a socket that must see nothing) must not fail a
      // later test file when its timeout fires.
      clearTimeout(timer);
      socket.close();
    },
  };
}
