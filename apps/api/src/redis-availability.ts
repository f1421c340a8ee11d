/**
 * Recognises the errors ioredis (and BullMQ through it) raises when Redis cannot serve a
 * command now: not connected with the offline queue off, a command past its timeout, a
 * connection closed under it. The API answers those with 503 + Retry-After at once instead of
 * holding the request until Redis returns.
 */
const unavailableMessages = [
  /enableOfflineQueue options is false/i,
  /Command timed out/i,
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/,
  /Reached the max retries per request limit/i,
  /LOADING Redis is loading/i,
];

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return unavailableMessages.some((pattern) => pattern.test(error.message));
}
