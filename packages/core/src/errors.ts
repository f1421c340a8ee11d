/**
 * One error class for every expected failure, with a closed set of codes so the API can map
 * them to HTTP statuses and clients can branch on `code` instead of parsing messages.
 */
export const ErrorCode = {
  BadRequest: 'BAD_REQUEST',
  NotFound: 'NOT_FOUND',
  Unauthorized: 'UNAUTHORIZED',
  RateLimited: 'RATE_LIMITED',
  Conflict: 'CONFLICT',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMedia: 'UNSUPPORTED_MEDIA',
  NoAudioTrack: 'NO_AUDIO_TRACK',
  UnsupportedLanguagePair: 'UNSUPPORTED_LANGUAGE_PAIR',
  UnknownLanguage: 'UNKNOWN_LANGUAGE',
  InvalidConfig: 'INVALID_CONFIG',
  MediaProcessingFailed: 'MEDIA_PROCESSING_FAILED',
  ModelUnavailable: 'MODEL_UNAVAILABLE',
  EngineUnavailable: 'ENGINE_UNAVAILABLE',
  TranslationFailed: 'TRANSLATION_FAILED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  /** The job was called off (its waiting client went away); workers stop it at the next boundary. */
  Canceled: 'CANCELED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const httpStatusByCode: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  RATE_LIMITED: 429,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA: 415,
  NO_AUDIO_TRACK: 422,
  UNSUPPORTED_LANGUAGE_PAIR: 400,
  UNKNOWN_LANGUAGE: 400,
  INVALID_CONFIG: 500,
  MEDIA_PROCESSING_FAILED: 422,
  MODEL_UNAVAILABLE: 503,
  // The job named an engine that cannot run here (no model, no server): refused, never swapped.
  ENGINE_UNAVAILABLE: 422,
  TRANSLATION_FAILED: 500,
  SERVICE_UNAVAILABLE: 503,
  CANCELED: 409,
  INTERNAL: 500,
};

/** Errors that retrying cannot fix (bad media, bad request): workers fail these at once. */
const permanentCodes = new Set<ErrorCode>([
  'BAD_REQUEST',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA',
  'NO_AUDIO_TRACK',
  'UNSUPPORTED_LANGUAGE_PAIR',
  'UNKNOWN_LANGUAGE',
  'INVALID_CONFIG',
  'MEDIA_PROCESSING_FAILED',
  'CANCELED',
]);

/**
 * The only `details` keys a client ever sees: structured facts it can act on. Everything else
 * (server paths, ffprobe/ffmpeg output, internal ids) stays in the logs.
 */
export const publicDetailKeys = ['offset', 'problems', 'available', 'latestVersion', 'limit', 'audioTracks', 'retryAfterSeconds', 'engine', 'reason'] as const;

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get httpStatus(): number {
    return httpStatusByCode[this.code];
  }

  get permanent(): boolean {
    return permanentCodes.has(this.code);
  }

  /** What may be sent to a client: the code, the plain message and only the public details. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    const shown = Object.entries(this.details ?? {}).filter(([key]) => (publicDetailKeys as readonly string[]).includes(key));
    return shown.length > 0 ? { code: this.code, message: this.message, details: Object.fromEntries(shown) } : { code: this.code, message: this.message };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A readable one-line reason for any thrown value, for job rows and logs. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}

/**
 * Absolute file paths in a message meant for a person outside the server (an error body, a
 * job's failure reason) become `…/name`: the user still sees which file, not the layout.
 */
export function redactPaths(message: string): string {
  return message.replace(/(^|[\s'"(=:,[])(\/(?:[\w.@+-]+\/)+)([\w.@+-]*)/g, (_match, before: string, _dirs: string, name: string) => `${before}…/${name}`);
}
