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
  TranslationFailed: 'TRANSLATION_FAILED',
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
  TRANSLATION_FAILED: 500,
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
]);

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

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
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
