/**
 * Per-user token buckets: each user may make `requestsPerSecond` requests on average with
 * bursts up to `burst`. Over the limit the request is refused with 429 and a Retry-After
 * that says when a token will be available. Idle buckets are forgotten so memory follows
 * the active users, not every user ever seen.
 */
import { FerryError } from '@ferry/protocol';
import { FerryConfigError } from '../errors.ts';

export interface RateLimitOptions {
  requestsPerSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(
    private readonly options: RateLimitOptions,
    /** Which server option these settings came from, to name it when they are wrong. */
    option: 'rateLimit' | 'clientRateLimit' = 'rateLimit',
    private readonly now: () => number = Date.now,
  ) {
    if (!(options.requestsPerSecond > 0) || !(options.burst >= 1)) {
      throw new FerryConfigError(
        option,
        `${option} needs requestsPerSecond above 0 and burst of at least 1, got requestsPerSecond ${options.requestsPerSecond} and burst ${options.burst}; leave ${option} out to turn rate limiting off.`,
      );
    }
  }

  /** Takes one token for `key` or throws `rate_limited`. */
  take(key: string): void {
    const waitSeconds = this.tryTake(key);
    if (waitSeconds === 0) return;
    throw new FerryError('rate_limited', `too many requests; retry in ${waitSeconds} s`, {
      retryAfterSeconds: waitSeconds,
    });
  }

  /** Takes one token for `key`: 0 when it did, or else the seconds until one is available. */
  tryTake(key: string): number {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.options.requestsPerSecond));
  }

  /** Gives back a token taken for something that turned out not to need one. */
  giveBack(key: string): void {
    const bucket = this.refilled(key);
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + 1);
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    this.sweep(now);
    const { requestsPerSecond, burst } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAtMs: now };
    bucket.tokens = Math.min(
      burst,
      bucket.tokens + ((now - bucket.updatedAtMs) / 1000) * requestsPerSecond,
    );
    bucket.updatedAtMs = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  private sweep(now: number): void {
    const fullAfterMs = (this.options.burst / this.options.requestsPerSecond) * 1000;
    if (now - this.lastSweepMs < fullAfterMs) return;
    this.lastSweepMs = now;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAtMs >= fullAfterMs) this.buckets.delete(key);
    }
  }
}
