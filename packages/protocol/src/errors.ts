/**
 * The error codes this version sends: request-level codes (each with one HTTP status) and
 * per-mutation rejection codes. One table maps codes to statuses; nothing else decides.
 * Rejection codes are an open set on the wire: a client accepts codes it does not know
 * (see responses.ts), so a later server may add one.
 */

export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

/** Why a single mutation was refused; the mutation is still consumed. */
export type RejectionCode = 'forbidden' | 'conflict' | 'too_large' | 'invalid';

export const REJECTION_CODES: readonly RejectionCode[] = [
  'forbidden',
  'conflict',
  'too_large',
  'invalid',
];

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An error carrying a protocol code; thrown inside the server, parsed from responses by clients. */
export class FerryError extends Error {
  override readonly name = 'FerryError';
  readonly code: ErrorCode;
  /** Seconds, for `rate_limited` and `unavailable`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { retryAfterSeconds?: number; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
