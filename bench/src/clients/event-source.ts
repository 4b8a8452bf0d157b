/**
 * An event stream that reconnects as a browser's `EventSource` does: when the connection
 * ends or cannot be made, it waits the reconnection time and tries again, for as long as it
 * is open. Chromium's reconnection time is 3 s and it does not back off, so neither does
 * this. RxDB's docs ask a pull `stream$` to emit 'RESYNC' once the client is back online,
 * so that the replication runs its checkpoint iteration for what the stream missed; the
 * caller does that from `onReopen`, which runs after every connection but the first.
 */
import { request } from 'node:http';

/** Chromium's `EventSource` reconnection time (the server can send `retry:`; the RxDB endpoint does not). */
export const RECONNECT_MS = 3_000;

export interface ReconnectingStream {
  close(): void;
}

export function openReconnectingStream(
  url: string,
  handlers: { onData(data: string): void; onReopen(): void },
): Promise<ReconnectingStream> {
  let closed = false;
  let current: ReturnType<typeof request> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let opens = 0;

  return new Promise((resolve, reject) => {
    const retry = () => {
      current = undefined;
      if (closed || timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        connect();
      }, RECONNECT_MS);
    };
    const connect = () => {
      if (closed) return;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        retry();
      };
      const req = request(url, { method: 'GET', agent: false }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          // EventSource gives up on an answer other than 200; so does the first connection.
          if (opens === 0) reject(new Error(`stream ${url} answered ${res.statusCode}`));
          else end();
          return;
        }
        opens += 1;
        if (opens === 1) resolve(stream);
        else handlers.onReopen();
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const line = buffer.slice(0, newline).replace(/\r$/, '');
            buffer = buffer.slice(newline + 1);
            if (line.startsWith('data:')) handlers.onData(line.slice(5).trim());
            newline = buffer.indexOf('\n');
          }
        });
        res.on('end', end);
        res.on('error', end);
        res.on('close', end);
      });
      req.on('error', (error) => {
        if (opens === 0 && !closed) {
          // The first connection failing is the caller's to see, as for any stream here.
          closed = true;
          reject(error);
          return;
        }
        end();
      });
      req.end();
      current = req;
    };
    const stream: ReconnectingStream = {
      close() {
        closed = true;
        if (timer !== undefined) clearTimeout(timer);
        current?.destroy();
      },
    };
    connect();
  });
}
