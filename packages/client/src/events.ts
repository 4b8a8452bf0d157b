/**
 * The live event stream: `GET /v1/events` read through the client's own fetch stack (not
 * `EventSource`, so the bearer token travels in the Authorization header everywhere and a
 * refused token is refreshed like any other request). Each `poke` goes to `onPoke`; the
 * connection is kept up with jittered exponential backoff until `stop()`. A
 * `reauthenticate` event (the token expired, or a space was withdrawn) goes to
 * `onReauthenticate`, which makes the next request ask for a fresh token, and the stream is
 * left at once; the next connection is a routine reconnect, not a failure.
 *
 *   off ──start──▶ connecting ──2xx event stream──▶ open
 *                   ▲      │ error                    │ ends, fails or goes quiet
 *                   │      ▼                          │
 *                   └── backoff wait ◀────────────────┘      (stop: any state ──▶ off)
 *                                                   reauthenticate event ┘
 */
import { EVENTS, HEADERS, SSE_CONTENT_TYPE, SSE_HEARTBEAT_MS } from '@ferry/protocol';
import { backoffDelayMs, LIVE_BACKOFF } from './backoff.ts';
import { FerryHttpError, FerryProtocolError } from './errors.ts';
import { errorFields, type Logger } from './logger.ts';
import type { Timers } from './options.ts';
import { createSseParser } from './sse-parser.ts';
import type { LiveState } from './status.ts';

export interface LiveStreamOptions {
  /** The full events URL. */
  url: string;
  /** A fetch that authenticates and throws typed errors (`withAuth(withResponseCheck(…))`). */
  fetch: typeof fetch;
  /** Called with each poke's data (JSON text). */
  onPoke(data: string): void;
  /**
   * The server is ending the stream because its authority ended (`reason`: `token_expired`,
   * `spaces_changed`, or one this client does not know): the next request must carry a
   * fresh token. The stream then reconnects as after any end.
   */
  onReauthenticate?(reason: string): void;
  onStateChange(state: LiveState): void;
  timers: Timers;
  random: () => number;
  logger: Logger;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** With no bytes (not even a ping) for this long, the connection is presumed dead. */
  idleTimeoutMs?: number;
}

export interface LiveStream {
  start(): void;
  /** Closes the connection; settles once the connection loop has ended. */
  stop(): Promise<void>;
  readonly running: boolean;
}

/** Two missed heartbeats and a margin. */
export const DEFAULT_IDLE_TIMEOUT_MS = SSE_HEARTBEAT_MS * 2 + 5_000;

export function createLiveStream(options: LiveStreamOptions): LiveStream {
  let controller: AbortController | undefined;
  let loop: Promise<void> = Promise.resolve();

  return {
    start() {
      if (controller !== undefined) return;
      controller = new AbortController();
      loop = runLoop(options, controller.signal);
    },
    async stop() {
      if (controller !== undefined) {
        controller.abort();
        controller = undefined;
        options.onStateChange('off');
      }
      await loop;
    },
    get running() {
      return controller !== undefined;
    },
  };
}

async function runLoop(options: LiveStreamOptions, signal: AbortSignal): Promise<void> {
  const { logger } = options;
  // A stopped loop may still be unwinding while a new one starts; only the live one reports.
  const setState = (state: LiveState) => {
    if (!signal.aborted) options.onStateChange(state);
  };
  let attempt = 0;
  while (!signal.aborted) {
    setState('connecting');
    let retryAfterMs = 0;
    try {
      await connectOnce(options, signal, () => {
        attempt = 0;
        setState('open');
      });
      if (!signal.aborted) logger.info('the event stream ended');
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof FerryHttpError && error.retryAfterSeconds !== undefined) {
        retryAfterMs = error.retryAfterSeconds * 1000;
      }
      logger.warn(errorFields(error), 'the event stream failed');
    }
    if (signal.aborted) break;
    setState('connecting');
    const delayMs = Math.max(
      retryAfterMs,
      backoffDelayMs(attempt, {
        initialDelayMs: options.initialDelayMs ?? LIVE_BACKOFF.initialDelayMs,
        maxDelayMs: options.maxDelayMs ?? LIVE_BACKOFF.maxDelayMs,
        random: options.random,
      }),
    );
    attempt += 1;
    logger.debug({ delayMs, attempt }, 'reconnecting the event stream');
    await sleep(delayMs, signal, options.timers);
  }
}

/** One connection, from request to end of stream. Calls `onOpen` once the stream is up. */
async function connectOnce(
  options: LiveStreamOptions,
  stopSignal: AbortSignal,
  onOpen: () => void,
): Promise<void> {
  // Aborted by stop() or by the idle watchdog, whichever comes first.
  const connection = new AbortController();
  const abort = () => connection.abort();
  stopSignal.addEventListener('abort', abort, { once: true });
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let watchdog: unknown;
  const feedWatchdog = () => {
    if (watchdog !== undefined) options.timers.clearTimeout(watchdog);
    watchdog = options.timers.setTimeout(() => {
      options.logger.warn({ idleTimeoutMs }, 'the event stream went quiet; reconnecting');
      connection.abort();
    }, idleTimeoutMs);
  };
  try {
    // Also bounds the wait for the response, so a server that never answers is left too.
    feedWatchdog();
    const response = await options.fetch(options.url, {
      headers: { accept: SSE_CONTENT_TYPE },
      signal: connection.signal,
    });
    const type = response.headers.get(HEADERS.contentType) ?? '';
    if (!type.startsWith(SSE_CONTENT_TYPE) || response.body === null) {
      await response.body?.cancel().catch(() => {});
      throw new FerryProtocolError(
        options.url,
        `expected an event stream, got ${type || 'no content type'}`,
      );
    }
    onOpen();
    let reauthenticating = false;
    const parser = createSseParser({
      onEvent(event) {
        if (reauthenticating) return;
        if (event.event === EVENTS.poke) options.onPoke(event.data);
        else if (event.event === EVENTS.reauthenticate) {
          reauthenticating = true;
          const reason = reauthenticateReason(event.data);
          options.logger.info({ reason }, 'the server asked for a fresh token; reconnecting');
          options.onReauthenticate?.(reason);
          // The server ends the stream after it; leaving now reconnects even if a proxy holds on.
          connection.abort();
        } else options.logger.debug({ event: event.event }, 'ignored an unknown event');
      },
    });
    try {
      await readText(response.body, connection.signal, (text) => {
        feedWatchdog();
        parser.push(text);
      });
    } catch (error) {
      // Leaving the stream may fail the read in progress; that is the routine end, not a fault.
      if (!reauthenticating) throw error;
    }
  } finally {
    if (watchdog !== undefined) options.timers.clearTimeout(watchdog);
    stopSignal.removeEventListener('abort', abort);
  }
}

/** The `reason` of a `reauthenticate` event's data, or 'unknown' when it has none. */
function reauthenticateReason(data: string): string {
  try {
    const reason: unknown = (JSON.parse(data) as { reason?: unknown } | null)?.reason;
    if (typeof reason === 'string') return reason;
  } catch {
    // Malformed data still asks for a fresh token: the event's name says what to do.
  }
  return 'unknown';
}

/** Reads a byte stream as text until it ends or `signal` aborts (which cancels it). */
async function readText(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  onText: (text: string) => void,
): Promise<void> {
  const reader = body.getReader();
  // Not every stream errors when its fetch is aborted, so cancel it explicitly.
  const cancel = () => {
    reader.cancel().catch(() => {});
  };
  if (signal.aborted) cancel();
  signal.addEventListener('abort', cancel, { once: true });
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onText(decoder.decode(value, { stream: true }));
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

function sleep(delayMs: number, signal: AbortSignal, timers: Timers): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const handle = timers.setTimeout(done, delayMs);
    const onAbort = () => {
      timers.clearTimeout(handle);
      done();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
