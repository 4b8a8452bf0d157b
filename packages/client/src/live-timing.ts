/**
 * The event stream's timing: how long a connection may stay silent (its heartbeat window),
 * and how long to wait before the next attempt (jittered backoff, shorter in the
 * foreground, none at all while offline, cut short by `resetBackoff()`).
 */
import { SSE_HEARTBEAT_COMMENT, SSE_HEARTBEAT_MS } from '@ferry/protocol';
import { backoffDelayMs, LIVE_BACKOFF } from './backoff.ts';
import type { Logger } from './logger.ts';
import type { Timers } from './options.ts';
import type { LiveEvent } from './scheduler/live-machine.ts';

/** What the reconnect waits are made of; part of the live stream's options. */
export interface ReconnectTiming {
  timers: Timers;
  now: () => number;
  random: () => number;
  /** Whether the runtime is online and the app visible, when it can tell. Default: both. */
  conditions?: () => { online: boolean; visible?: boolean | undefined };
  logger: Logger;
  initialDelayMs?: number;
  /** The longest wait between attempts while the app is visible. */
  maxDelayMs?: number;
  /** The longest wait between attempts while the app is hidden. */
  hiddenMaxDelayMs?: number;
}

/** How long a connection may stay silent before it is presumed dead: one and a half heartbeats and a second. */
export function heartbeatWindowMs(heartbeatMs: number): number {
  return Math.round(heartbeatMs * 1.5) + 1_000;
}

/** The window for the protocol's heartbeat, used until a server announces its own. */
export const DEFAULT_IDLE_TIMEOUT_MS = heartbeatWindowMs(SSE_HEARTBEAT_MS);

/** Announced heartbeats outside these bounds are taken as the nearest bound. */
const MIN_HEARTBEAT_MS = 100;
const MAX_HEARTBEAT_MS = 5 * 60_000;

/** The heartbeat a comment announces (`: heartbeat 25000`), or undefined. */
export function parseHeartbeatComment(text: string): number | undefined {
  const match = new RegExp(`^ ?${SSE_HEARTBEAT_COMMENT} (\\d{1,9})$`).exec(text);
  if (match?.[1] === undefined) return undefined;
  return Math.min(MAX_HEARTBEAT_MS, Math.max(MIN_HEARTBEAT_MS, Number(match[1])));
}

/** What the connection loop shares with the stream's handle. */
export interface LoopState {
  /** Failed attempts since the last open; the backoff's exponent. */
  attempt: number;
  /** No attempt before this time (the server's Retry-After). */
  notBefore: number;
  /** The announced heartbeat's window, once a server announced one. */
  idleTimeoutMs: number | undefined;
  /** Cuts the current wait short; set while waiting. */
  wake: (() => void) | undefined;
}

export interface LoopReports {
  transition(event: LiveEvent, signal: AbortSignal): void;
  setRetryAt(at: number | null, signal: AbortSignal): void;
}

/**
 * Waits out the backoff before the next attempt; while offline, until `resetBackoff()`.
 * Woken early, it waits the shortest backoff from then (or what is left of a Retry-After).
 */
export async function waitToReconnect(
  options: ReconnectTiming,
  signal: AbortSignal,
  shared: LoopState,
  reports: LoopReports,
): Promise<void> {
  for (;;) {
    const conditions = options.conditions?.();
    const offline = conditions?.online === false;
    const now = options.now();
    const delayMs = offline
      ? null
      : Math.max(
          shared.notBefore - now,
          backoffDelayMs(shared.attempt, {
            initialDelayMs: options.initialDelayMs ?? LIVE_BACKOFF.initialDelayMs,
            maxDelayMs:
              conditions?.visible === false
                ? (options.hiddenMaxDelayMs ?? LIVE_BACKOFF.hiddenMaxDelayMs)
                : (options.maxDelayMs ?? LIVE_BACKOFF.maxDelayMs),
            random: options.random,
          }),
        );
    reports.setRetryAt(delayMs === null ? null : now + delayMs, signal);
    if (delayMs === null) options.logger.debug('offline: the event stream waits for the network');
    else
      options.logger.debug({ delayMs, attempt: shared.attempt }, 'reconnecting the event stream');
    const how = await wait(delayMs, signal, shared, options.timers);
    if (how !== 'woken') return;
  }
}

/**
 * Resolves after `delayMs` ('elapsed'; never, with null), or at once when `signal` aborts
 * ('stopped') or `shared.wake` is called ('woken'), leaving no timer behind.
 */
function wait(
  delayMs: number | null,
  signal: AbortSignal,
  shared: LoopState,
  timers: Timers,
): Promise<'elapsed' | 'woken' | 'stopped'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('stopped');
    let handle: unknown;
    const done = (how: 'elapsed' | 'woken' | 'stopped') => {
      if (handle !== undefined) timers.clearTimeout(handle);
      signal.removeEventListener('abort', onAbort);
      shared.wake = undefined;
      resolve(how);
    };
    const onAbort = () => done('stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    shared.wake = () => done('woken');
    if (delayMs !== null) {
      handle = timers.setTimeout(() => {
        handle = undefined;
        done('elapsed');
      }, delayMs);
    }
  });
}
