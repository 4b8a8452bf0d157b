/**
 * `ferry serve` flags for the limits that keep one user's load their own: the per-user and
 * per-client rate limits, the per-user caps on event streams, new client ids and queued
 * mutations, and the largest request body and value. Pure, like the rest of the
 * configuration.
 */
import type { ServerLimits } from '../config.ts';
import { DEFAULT_SERVER_LIMITS } from '../config.ts';
import { FerryConfigError } from '../errors.ts';
import type { RateLimitOptions } from '../http/rate-limit.ts';

/** The limits a flag can set; those not given keep the server's defaults. */
export type PerUserLimits = Partial<
  Pick<
    ServerLimits,
    | 'maxEventStreamsPerUser'
    | 'maxNewClientIdsPerUserPerHour'
    | 'maxQueuedMutationsPerUser'
    | 'maxBodyBytes'
    | 'maxValueBytes'
  >
>;

export interface LimitsConfig {
  /** Requests per user (the server's `rateLimit`); none when not given. */
  rateLimit: RateLimitOptions | undefined;
  /** Push and pull requests per client id (the server's `clientRateLimit`); none when not given. */
  clientRateLimit: RateLimitOptions | undefined;
  limits: PerUserLimits;
}

/** The flags, for `parseArgs`. */
export const LIMIT_FLAGS = {
  'rate-limit': { type: 'string' },
  'client-rate-limit': { type: 'string' },
  'max-event-streams-per-user': { type: 'string' },
  'max-new-client-ids-per-hour': { type: 'string' },
  'max-queued-mutations-per-user': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'max-value-bytes': { type: 'string' },
} as const;

const D = DEFAULT_SERVER_LIMITS;
export const LIMITS_HELP = `  --rate-limit <n>/<w>  requests per user: n per window w (s, min or h), up to n at once;
                        beyond it 429 [FERRY_RATE_LIMIT] (default none), e.g. 20/s
  --client-rate-limit <n>/<w>
                        push and pull requests per client id, as above [FERRY_CLIENT_RATE_LIMIT]
                        (default none)
  --max-event-streams-per-user <n>
                        open event streams per user; one more ends the user's oldest
                        [FERRY_MAX_EVENT_STREAMS_PER_USER] (default ${D.maxEventStreamsPerUser}; 0: no cap)
  --max-new-client-ids-per-hour <n>
                        client ids one user may register per hour; beyond it 429
                        [FERRY_MAX_NEW_CLIENT_IDS_PER_HOUR] (default ${D.maxNewClientIdsPerUserPerHour}; 0: no limit)
  --max-queued-mutations-per-user <n>
                        mutations one user may have waiting to be written; beyond it 429
                        [FERRY_MAX_QUEUED_MUTATIONS_PER_USER] (default ${D.maxQueuedMutationsPerUser}; 0: no cap)
  --max-body-bytes <n>  largest request body, after decompression; beyond it 413
                        [FERRY_MAX_BODY_BYTES] (default ${D.maxBodyBytes})
  --max-value-bytes <n> largest stored value, in bytes of JSON; a larger one is rejected on
                        its own [FERRY_MAX_VALUE_BYTES] (default ${D.maxValueBytes})
`;

const WINDOW_SECONDS: Record<string, number> = { s: 1, min: 60, h: 3600 };

function rate(flag: string, text: string | undefined): RateLimitOptions | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(s|min|h)$/.exec(text.trim());
  const count = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(count) || count < 1)
    throw new FerryConfigError(
      `--${flag}`,
      `--${flag} must be <n>/<window>, n a whole number of at least 1 and the window s, min or h (e.g. 20/s or 600/min), got "${text}"`,
    );
  return { requestsPerSecond: count / WINDOW_SECONDS[match[2]!]!, burst: count };
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value))
    throw new FerryConfigError(
      `--${flag}`,
      `--${flag} must be a whole number (0 for no limit), got "${text}"`,
    );
  return value;
}

/** A size in bytes: a whole number of at least 1. */
function bytes(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1)
    throw new FerryConfigError(
      `--${flag}`,
      `--${flag} must be a whole number of bytes of at least 1, got "${text}"`,
    );
  return value;
}

/** Reads the limit flags; `text` gives a flag's value, or its environment variable's. */
export function parseLimits(
  text: (flag: string, variable: string) => string | undefined,
): LimitsConfig {
  const limits: PerUserLimits = {};
  const streams = count(
    'max-event-streams-per-user',
    text('max-event-streams-per-user', 'FERRY_MAX_EVENT_STREAMS_PER_USER'),
  );
  if (streams !== undefined) limits.maxEventStreamsPerUser = streams;
  const clientIds = count(
    'max-new-client-ids-per-hour',
    text('max-new-client-ids-per-hour', 'FERRY_MAX_NEW_CLIENT_IDS_PER_HOUR'),
  );
  if (clientIds !== undefined) limits.maxNewClientIdsPerUserPerHour = clientIds;
  const queued = count(
    'max-queued-mutations-per-user',
    text('max-queued-mutations-per-user', 'FERRY_MAX_QUEUED_MUTATIONS_PER_USER'),
  );
  if (queued !== undefined) limits.maxQueuedMutationsPerUser = queued;
  const body = bytes('max-body-bytes', text('max-body-bytes', 'FERRY_MAX_BODY_BYTES'));
  if (body !== undefined) limits.maxBodyBytes = body;
  const value = bytes('max-value-bytes', text('max-value-bytes', 'FERRY_MAX_VALUE_BYTES'));
  if (value !== undefined) limits.maxValueBytes = value;
  return {
    rateLimit: rate('rate-limit', text('rate-limit', 'FERRY_RATE_LIMIT')),
    clientRateLimit: rate(
      'client-rate-limit',
      text('client-rate-limit', 'FERRY_CLIENT_RATE_LIMIT'),
    ),
    limits,
  };
}
