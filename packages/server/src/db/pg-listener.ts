/**
 * A LISTEN connection that survives: it reconnects with exponential backoff when the
 * connection drops or the database restarts, and reports each reconnect so the caller can
 * make up for notifications sent while it was away.
 */
import pg from 'pg';
import type { Listener, ListenHandlers } from './driver.ts';

const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgListenerOptions {
  connectionString: string;
  connectTimeoutMs: number;
  /** First reconnect delay, doubling up to `maxRetryMs`; default 250. */
  retryMs?: number;
  maxRetryMs?: number;
}

export function startPgListener(
  options: PgListenerOptions,
  channel: string,
  handlers: ListenHandlers,
): Listener {
  // Internal invariant: the channel comes from the validated schema name, never from the app.
  if (!CHANNEL_PATTERN.test(channel)) throw new Error(`invalid channel name ${channel}`);
  let client: pg.Client | undefined;
  let closed = false;
  let connectedOnce = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const scheduleReconnect = () => {
    if (closed || timer) return;
    const delayMs = Math.min(
      options.maxRetryMs ?? 10_000,
      (options.retryMs ?? 250) * 2 ** Math.min(failures, 10),
    );
    failures += 1;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delayMs);
    timer.unref?.();
  };

  const connect = async () => {
    const next = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs,
    });
    let dropped = false;
    const drop = (error: unknown) => {
      if (dropped) return;
      dropped = true;
      if (client === next) client = undefined;
      next.end().catch(() => {});
      if (closed) return;
      handlers.onDisconnected(error);
      scheduleReconnect();
    };
    next.on('error', drop);
    next.on('end', () => drop(new Error('LISTEN connection ended')));
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined)
        handlers.onNotification(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      drop(error);
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    failures = 0;
    handlers.onConnected(!connectedOnce);
    connectedOnce = true;
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
