/**
 * Reconnect delays: exponential, capped, with jitter so that many clients dropped by one
 * server restart do not all come back in the same instant. Half of each delay is fixed and
 * half random, so even an unlucky draw never retries in a tight loop.
 */

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Returns a number in [0, 1). */
  random: () => number;
}

/**
 * The event stream's reconnects: short while the app is in the foreground, so that every
 * client is back within seconds of the server (spread over the half of the delay that is
 * random); longer while it is hidden, when nobody is looking and each attempt costs battery.
 * The foreground cap of 4 s keeps a client that waited through a long outage back within
 * 5 s of the server answering, with a second left for connecting and catching up.
 */
export const LIVE_BACKOFF = {
  initialDelayMs: 500,
  maxDelayMs: 4_000,
  hiddenMaxDelayMs: 30_000,
} as const;

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (options.random() * ceiling) / 2);
}
