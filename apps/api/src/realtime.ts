import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Redis } from 'ioredis';
import type { ProgressEvent } from '@babelfish/core';
import type { ApiKeyRepository, JobRepository } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import { subscribeToKeyRevocations, subscribeToProgress } from '@babelfish/queue';
import type { Authenticator } from './auth/authenticate';
import { jobRoomPayloadSchema, parseOrUndefined } from './schemas';
import { jobView } from './views';

export const jobRoom = (jobId: string) => `job:${jobId}`;

type Ack = (reply: unknown) => void;

/** Socket.IO messages are small JSON; anything bigger is refused by the transport itself. */
const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * Socket.IO relay: a client sends `subscribe` with a job id, gets the job's current state in the
 * ack (so a reload mid-job resumes where it is), then receives every `progress` event for it.
 * Every payload is checked with the REST layer's schemas, and no handler lets an error escape:
 * one hostile message must never take the process (and every other client) down.
 */
export async function attachRealtime(options: {
  server: http.Server;
  subscriber: Redis;
  prefix: string;
  jobs: JobRepository;
  apiKeys: ApiKeyRepository;
  authenticate: Authenticator;
  logger: Logger;
  corsOrigins: string[];
  /** How often open sockets' keys are re-checked against the database (missed announcements). */
  revocationSweepMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** A key was revoked (announced on Redis by any replica or the CLI). */
  onKeyRevoked?: (keyId: string) => void;
}): Promise<{ io: Server; close: () => Promise<void> }> {
  const io = new Server(options.server, {
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    cors: { origin: options.corsOrigins, credentials: true },
  });

  // Same credentials as REST: the session cookie, an Authorization header, or auth.apiKey.
  const authenticateSocket = (socket: Socket) =>
    options.authenticate(socket.handshake.headers, (socket.handshake.auth as { apiKey?: unknown } | undefined)?.apiKey);

  io.use((socket, next) => {
    authenticateSocket(socket).then(
      (principal) => {
        if (!principal) return next(new Error('unauthorized'));
        socket.data.ownerId = principal.ownerId;
        socket.data.keyId = principal.keyId;
        next();
      },
      (error: unknown) => {
        options.logger.warn('socket authentication failed', { error: String(error) });
        next(new Error('unavailable'));
      },
    );
  });

  /** Wraps a handler so that whatever it throws becomes an error ack and a log line. */
  const guarded =
    (event: string, handler: (socket: Socket, payload: unknown, ack: Ack | undefined) => Promise<void>) =>
    (socket: Socket) =>
    (...args: unknown[]) => {
      const last = args.at(-1);
      const ack = typeof last === 'function' ? (last as Ack) : undefined;
      const payload = args.length > (ack ? 1 : 0) ? args[0] : undefined;
      handler(socket, payload, ack).catch((error: unknown) => {
        options.logger.warn('socket handler failed', { event, error: String(error) });
        try {
          ack?.({ error: { code: 'INTERNAL', message: 'The request could not be handled; try again' } });
        } catch {
          // the client went away
        }
      });
    };

  const subscribe = guarded('subscribe', async (socket, payload, ack) => {
    const parsed = parseOrUndefined(jobRoomPayloadSchema, payload);
    if (!parsed) {
      ack?.({ error: { code: 'BAD_REQUEST', message: 'Send { "jobId": "<job id>" }' } });
      return;
    }
    // The credentials are checked again: the key may have been revoked since the handshake.
    const principal = await authenticateSocket(socket);
    if (!principal) {
      ack?.({ error: { code: 'UNAUTHORIZED', message: 'The key or session is no longer valid' } });
      socket.disconnect(true);
      return;
    }
    const found = await options.jobs.get(parsed.jobId);
    // Another owner's job is "not found": its room is never joined.
    const job = found && found.ownerId === principal.ownerId ? found : undefined;
    if (!job) {
      ack?.({ error: { code: 'NOT_FOUND', message: `Job ${parsed.jobId} not found` } });
      return;
    }
    await socket.join(jobRoom(job.id));
    // Read again once in the room: an event published between the first read and the join
    // would be lost, and a fast job would stay "processing" for this watcher forever.
    const current = (await options.jobs.get(job.id)) ?? job;
    ack?.({ job: jobView(current) });
  });

  const unsubscribe = guarded('unsubscribe', async (socket, payload, ack) => {
    const parsed = parseOrUndefined(jobRoomPayloadSchema, payload);
    if (!parsed) {
      ack?.({ error: { code: 'BAD_REQUEST', message: 'Send { "jobId": "<job id>" }' } });
      return;
    }
    await socket.leave(jobRoom(parsed.jobId));
    ack?.({ ok: true });
  });

  io.on('connection', (socket) => {
    socket.on('subscribe', subscribe(socket));
    socket.on('unsubscribe', unsubscribe(socket));
    // Any other event name is ignored, but answered if the client waits for an answer.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (event === 'subscribe' || event === 'unsubscribe') return;
      const ack = args.at(-1);
      if (typeof ack === 'function') (ack as Ack)({ error: { code: 'NOT_FOUND', message: 'Unknown event' } });
    });
    socket.on('error', (error) => options.logger.warn('socket error', { error: String(error) }));
  });

  const disconnectKey = (keyId: string) => {
    for (const socket of io.sockets.sockets.values()) {
      if (socket.data.keyId === keyId) socket.disconnect(true);
    }
  };

  const stopProgress = await subscribeToProgress(options.subscriber, options.prefix, (event) => {
    options.onProgress?.(event);
    io.to(jobRoom(event.jobId)).emit('progress', event);
  });
  const stopRevocations = await subscribeToKeyRevocations(options.subscriber, options.prefix, (keyId) => {
    options.logger.info('key revoked: closing its sockets', { keyId });
    options.onKeyRevoked?.(keyId);
    disconnectKey(keyId);
  });
  const sweep = setInterval(() => {
    const keyIds = [...io.sockets.sockets.values()].map((socket) => String(socket.data.keyId ?? ''));
    options.apiKeys.revokedAmong(keyIds).then(
      (revoked) => revoked.forEach(disconnectKey),
      (error: unknown) => options.logger.warn('revocation sweep failed', { error: String(error) }),
    );
  }, options.revocationSweepMs ?? 5000).unref();

  return {
    io,
    async close() {
      clearInterval(sweep);
      await stopProgress().catch(() => undefined);
      await stopRevocations().catch(() => undefined);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
