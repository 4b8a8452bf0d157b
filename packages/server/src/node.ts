/** Serving a Ferry server over Node's `http`. */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener, serve } from '@hono/node-server';
import { noteAdapterCloseListener } from './events/node-stream.ts';
import type { FerryServer, FetchEnv } from './options.ts';

/**
 * The function the adapter calls for each request: Ferry writes Node's response itself
 * where that is quicker (see `FetchEnv.ownsResponse`). Only a GET can become an event
 * stream, so only a GET's adapter listener is looked for.
 */
function ownedResponseFetch(server: Pick<FerryServer, 'fetch'>) {
  return (request: Request, env: FetchEnv) => {
    const answer = server.fetch(request, { ...env, ownsResponse: true });
    if (request.method === 'GET' && env.outgoing) noteAdapterCloseListener(env.outgoing);
    return answer;
  };
}

export interface Listening {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  port: number;
  /** Stops accepting connections, ends event streams and waits for open requests. */
  close(): Promise<void>;
}

export interface ListenOptions {
  port?: number;
  hostname?: string;
  /**
   * Longest time to receive a whole request (headers and body); slower clients are
   * disconnected so they cannot hold connections open. Default 30 000. Event streams are
   * responses and are not limited by it.
   */
  requestTimeoutMs?: number;
  /** Longest time to receive the request headers; default 10 000. */
  headersTimeoutMs?: number;
}

export function listen(
  server: Pick<FerryServer, 'fetch' | 'close'>,
  options: ListenOptions = {},
): Promise<Listening> {
  const hostname = options.hostname ?? '127.0.0.1';
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const http = serve(
      {
        fetch: ownedResponseFetch(server),
        port: options.port ?? 0,
        hostname,
        serverOptions: {
          // Node insists the header limit is not above the whole-request limit.
          requestTimeout: Math.max(options.requestTimeoutMs ?? 30_000, headersTimeoutMs),
          headersTimeout: headersTimeoutMs,
          // Node enforces both only when it checks, every 30 s by default.
          connectionsCheckingInterval: Math.min(5000, headersTimeoutMs),
        },
      },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: async () => {
            // Stop accepting first, then drain: pushes in flight finish, streams end with a
            // retry hint, and the listener closes once the last connection has gone.
            const stopped = new Promise<void>((done) => http.close(() => done()));
            await server.close();
            (http as { closeIdleConnections?: () => void }).closeIdleConnections?.();
            await stopped;
          },
        });
      },
    );
    dropConnectionsWithoutRequest(http as Server, headersTimeoutMs);
    http.once('error', reject);
  });
}

/**
 * Node's own header timeout only watches connections that have begun a request; one that
 * connects and never sends a byte would stay open forever. Drop any connection whose first
 * request has not arrived within the header timeout.
 */
function dropConnectionsWithoutRequest(http: Server, timeoutMs: number): void {
  const waiting = new WeakMap<Socket, ReturnType<typeof setTimeout>>();
  // Shared listeners, and nothing left behind once the first request arrives: an idle event
  // stream holds its connection for hours.
  const forget = (socket: Socket) => {
    const timer = waiting.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    waiting.delete(socket);
    socket.off('close', onClose);
  };
  function onClose(this: Socket) {
    forget(this);
  }
  http.on('connection', (socket: Socket) => {
    const timer = setTimeout(destroySocket, timeoutMs, socket);
    timer.unref?.();
    waiting.set(socket, timer);
    socket.on('close', onClose);
  });
  http.on('request', (request: IncomingMessage) => forget(request.socket));
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}

/**
 * A Node `(req, res)` listener for frameworks built on `node:http` (Express, Fastify's
 * raw handlers, Koa): `app.use('/sync', nodeListener(ferry))`. Such frameworks strip the
 * mount path from `req.url`, so the server then needs no `basePath`. Do not put a body
 * parser in front of it: Ferry reads and limits request bodies itself.
 */
export function nodeListener(
  server: Pick<FerryServer, 'fetch'>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const listener = getRequestListener(ownedResponseFetch(server));
  return (req, res) => {
    void listener(req, res);
  };
}
