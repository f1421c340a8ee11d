/**
 * When a failed delivery is tried again: the Standard Webhooks recommendation (5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h after each failure), so a receiver that is down for up to a day
 * still gets every event. Overridable (WEBHOOK_RETRY_DELAYS) for tests and impatient operators.
 */
export const defaultRetryDelaysMs: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** The wait before attempt `attemptsMade + 1` (BullMQ counts attempts made so far, from 1). */
export function retryDelayMs(delays: readonly number[], attemptsMade: number): number {
  return delays[Math.min(attemptsMade, delays.length) - 1] ?? delays[delays.length - 1] ?? 60_000;
}
