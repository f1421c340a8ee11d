import { io, type Socket } from 'socket.io-client';
import { notifyUnauthorized } from './api';
import type { Job, ProgressEvent } from './types';

/**
 * One Socket.IO connection for the whole page (same origin as the API). Views describe which jobs
 * they show; this module (re)subscribes them on every 'connect', so a dropped connection or a
 * server restart picks the live progress up again without any polling.
 */
let socket: Socket | undefined;

function connection(): Socket {
  if (!socket) {
    // Authenticated by the session cookie the handshake carries, so connect only after log-in.
    socket = io({ transports: ['websocket', 'polling'] });
    socket.on('connect_error', (error) => {
      if (error.message === 'unauthorized') notifyUnauthorized();
    });
  }
  return socket;
}

/** Drops the connection (log-out, or a new session whose cookie the next handshake must carry). */
export function resetRealtime(): void {
  socket?.disconnect();
  socket = undefined;
  roomHolders.clear();
}

type SubscribeReply = { job?: Job; error?: { code: string; message: string } };

/**
 * How many watchers hold each job's room. Rooms belong to the socket, which every view shares:
 * the job list closing after the job page opened must not take the page out of the room it
 * just joined (the page would then miss every event and show a finished job as running).
 */
const roomHolders = new Map<string, number>();

function hold(jobId: string): void {
  roomHolders.set(jobId, (roomHolders.get(jobId) ?? 0) + 1);
}

/** True when this was the last holder, so the room may be left. */
function release(jobId: string): boolean {
  const left = (roomHolders.get(jobId) ?? 1) - 1;
  if (left > 0) roomHolders.set(jobId, left);
  else roomHolders.delete(jobId);
  return left <= 0;
}

export type JobWatchHandlers = {
  /** The job as the server has it now; sent on each (re)subscription, so reloads resume. */
  onSnapshot?: (job: Job) => void;
  onProgress: (event: ProgressEvent) => void;
  onError?: (jobId: string, message: string) => void;
  onConnectionChange?: (connected: boolean) => void;
};

export type JobWatch = { set: (jobIds: string[]) => void; close: () => void };

export function watchJobs(initial: string[], handlers: JobWatchHandlers): JobWatch {
  const s = connection();
  let ids = new Set(initial);
  ids.forEach(hold);
  let closed = false;
  const leave = (jobId: string) => {
    if (release(jobId)) s.emit('unsubscribe', { jobId });
  };

  const subscribe = (jobId: string) => {
    s.timeout(10_000).emit('subscribe', { jobId }, (timeout: Error | null, reply?: SubscribeReply) => {
      if (closed || !ids.has(jobId)) return;
      if (timeout) return; // the next 'connect' subscribes again
      if (reply?.error) handlers.onError?.(jobId, reply.error.message);
      else if (reply?.job) handlers.onSnapshot?.(reply.job);
    });
  };
  const onConnect = () => {
    handlers.onConnectionChange?.(true);
    ids.forEach(subscribe);
  };
  const onDisconnect = () => handlers.onConnectionChange?.(false);
  const onProgress = (event: ProgressEvent) => {
    if (!closed && ids.has(event.jobId)) handlers.onProgress(event);
  };

  s.on('connect', onConnect);
  s.on('disconnect', onDisconnect);
  s.on('progress', onProgress);
  // Not yet connected: the 'connect' handler above subscribes once the socket is up.
  if (s.connected) ids.forEach(subscribe);

  return {
    set(jobIds) {
      const next = new Set(jobIds);
      for (const id of ids) if (!next.has(id)) leave(id);
      const added = [...next].filter((id) => !ids.has(id));
      added.forEach(hold);
      ids = next;
      if (s.connected) added.forEach(subscribe);
    },
    close() {
      closed = true;
      ids.forEach(leave);
      s.off('connect', onConnect);
      s.off('disconnect', onDisconnect);
      s.off('progress', onProgress);
    },
  };
}
