import type { Redis } from 'ioredis';

/**
 * Revoked API keys are announced on one channel per deployment, so every API replica ends the
 * key's dashboard sessions and open sockets at once instead of when they would next expire.
 * The database stays the source of truth: replicas also re-check live keys on a timer, which
 * covers a revocation whose announcement was missed (Redis down, a key revoked by hand).
 */
export function keyRevocationChannel(prefix: string): string {
  return `${prefix}:key-revoked`;
}

export async function announceKeyRevoked(connection: Redis, prefix: string, keyId: string): Promise<void> {
  await connection.publish(keyRevocationChannel(prefix), keyId);
}

/** `subscriber` is a dedicated (subscribed) connection; it may carry other channels too. */
export async function subscribeToKeyRevocations(subscriber: Redis, prefix: string, onRevoked: (keyId: string) => void): Promise<() => Promise<void>> {
  const channel = keyRevocationChannel(prefix);
  const listener = (from: string, message: string) => {
    if (from === channel && /^[0-9a-f]{12}$/.test(message)) onRevoked(message);
  };
  subscriber.on('message', listener);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off('message', listener);
    await subscriber.unsubscribe(channel);
  };
}
