/**
 * How a failed run is retried. A failure that may pass (the network, a 5xx, a 429, a store
 * hiccup) is retried with exponential backoff and jitter, never sooner than the server's
 * Retry-After; a failure that retrying cannot fix (a token refused even after a refresh,
 * any other 4xx, a server that does not speak the protocol, a bad configuration) is shown
 * as an error and not retried blindly. A 401 has already been retried once with a fresh
 * token by the transport (`withAuth`) by the time it gets here.
 */
import { backoffDelayMs } from '../backoff.ts';
import {
  FerryConfigError,
  FerryHttpError,
  FerryProtocolError,
  FerryValidationError,
} from '../errors.ts';
import { MAX_RETRY_AFTER_MS, type ResolvedScheduleOptions } from './options.ts';

export type FailureKind = { retryable: true; retryAfterMs: number | null } | { retryable: false };

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof FerryHttpError) {
    if (!error.retryable) return { retryable: false };
    const seconds = error.retryAfterSeconds;
    return {
      retryable: true,
      retryAfterMs: seconds === undefined ? null : Math.min(seconds * 1000, MAX_RETRY_AFTER_MS),
    };
  }
  if (
    error instanceof FerryProtocolError ||
    error instanceof FerryConfigError ||
    error instanceof FerryValidationError
  ) {
    return { retryable: false };
  }
  // Network failures, and anything unexpected (a store that failed to commit): worth a retry.
  return { retryable: true, retryAfterMs: null };
}

/**
 * The wait before retry number `attempt` (1 for the first retry): between half and all of
 * min(max, initial × 2^(attempt-1)), and never less than the server's Retry-After.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  options: Pick<ResolvedScheduleOptions, 'backoffInitialDelayMs' | 'backoffMaxDelayMs'>,
  random: () => number,
): number {
  const backoff = backoffDelayMs(attempt - 1, {
    initialDelayMs: options.backoffInitialDelayMs,
    maxDelayMs: options.backoffMaxDelayMs,
    random,
  });
  return Math.max(backoff, retryAfterMs ?? 0);
}
