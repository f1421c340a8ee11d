import type { Redis } from 'ioredis';
import type { ProgressEvent } from '@babelfish/core';

/**
 * Workers publish progress on one Redis channel per deployment (queue prefix); every API
 * replica subscribes and relays to its own Socket.IO rooms, so a client may be on any replica.
 */
export function progressChannel(prefix: string): string {
  return `${prefix}:progress`;
}

export type ProgressPublisher = { publish(event: ProgressEvent): Promise<void> };

export function createProgressPublisher(connection: Redis, prefix: string): ProgressPublisher {
  const channel = progressChannel(prefix);
  return {
    async publish(event) {
      await connection.publish(channel, JSON.stringify(event));
    },
  };
}

/** `subscriber` must be a dedicated connection: a subscribed ioredis client can do nothing else. */
export async function subscribeToProgress(
  subscriber: Redis,
  prefix: string,
  onEvent: (event: ProgressEvent) => void,
): Promise<() => Promise<void>> {
  const channel = progressChannel(prefix);
  const listener = (from: string, message: string) => {
    if (from !== channel) return;
    try {
      onEvent(JSON.parse(message) as ProgressEvent);
    } catch {
      // A malformed message must not take the relay down; nothing else publishes here.
    }
  };
  subscriber.on('message', listener);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off('message', listener);
    await subscriber.unsubscribe(channel);
  };
}
