import type http from 'node:http';
import { Server } from 'socket.io';
import type { Redis } from 'ioredis';
import type { ProgressEvent } from '@babelfish/core';
import type { JobRepository } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import { subscribeToProgress } from '@babelfish/queue';
import type { Authenticator } from './auth/authenticate';
import { jobView } from './views';

export const jobRoom = (jobId: string) => `job:${jobId}`;

/**
 * Socket.IO relay: a client sends `subscribe` with a job id, gets the job's current state in the
 * ack (so a reload mid-job resumes where it is), then receives every `progress` event for it.
 */
export async function attachRealtime(options: {
  server: http.Server;
  subscriber: Redis;
  prefix: string;
  jobs: JobRepository;
  authenticate: Authenticator;
  logger: Logger;
  corsOrigins: string[];
  onProgress?: (event: ProgressEvent) => void;
}): Promise<{ io: Server; close: () => Promise<void> }> {
  const io = new Server(options.server, { serveClient: false, cors: { origin: options.corsOrigins, credentials: true } });

  // Same credentials as REST: the session cookie, an Authorization header, or auth.apiKey.
  io.use((socket, next) => {
    options
      .authenticate(socket.handshake.headers, (socket.handshake.auth as { apiKey?: unknown } | undefined)?.apiKey)
      .then((principal) => {
        if (!principal) return next(new Error('unauthorized'));
        socket.data.ownerId = principal.ownerId;
        next();
      }, next);
  });

  io.on('connection', (socket) => {
    socket.on('subscribe', async (payload: unknown, ack?: (reply: unknown) => void) => {
      const jobId = typeof payload === 'object' && payload && 'jobId' in payload ? String((payload as { jobId: unknown }).jobId) : '';
      const found = /^[0-9a-f-]{36}$/.test(jobId) ? await options.jobs.get(jobId) : undefined;
      // Another owner's job is "not found": its room is never joined.
      const job = found && found.ownerId === socket.data.ownerId ? found : undefined;
      if (!job) {
        ack?.({ error: { code: 'NOT_FOUND', message: `Job ${jobId} not found` } });
        return;
      }
      await socket.join(jobRoom(jobId));
      ack?.({ job: jobView(job) });
    });
    socket.on('unsubscribe', async (payload: { jobId?: string }) => {
      if (payload?.jobId) await socket.leave(jobRoom(String(payload.jobId)));
    });
  });

  const unsubscribe = await subscribeToProgress(options.subscriber, options.prefix, (event) => {
    options.onProgress?.(event);
    io.to(jobRoom(event.jobId)).emit('progress', event);
  });

  return {
    io,
    async close() {
      await unsubscribe();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
