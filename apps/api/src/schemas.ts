import { z } from 'zod';

/**
 * Identifiers and payloads the API accepts, shared by REST routes and Socket.IO events so both
 * doors check input the same way. Job ids are the UUIDs the API makes (lower-case hex).
 */
export const jobIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a job id');

/** `subscribe` / `unsubscribe`: exactly `{ jobId }`, nothing else (no prototype tricks). */
export const jobRoomPayloadSchema = z.strictObject({ jobId: jobIdSchema });

/** Parses with a schema; any failure (including hostile objects that throw on access) is `undefined`. */
export function parseOrUndefined<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  try {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
