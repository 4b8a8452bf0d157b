/**
 * HTTPS requests over HTTP/2 (`node:http2`): one session per origin, kept and reused for
 * every request to it (many streams at once on one connection, as APNs asks), made again
 * when the other side closes it or it fails. Each request is cut off after `timeoutMs`
 * however slowly the other side answers, and only its own stream is cancelled, so one
 * device whose push service hangs holds up no other.
 */
import { type ClientHttp2Session, connect, constants } from 'node:http2';

export interface H2Response {
  status: number;
  /** The body as text, at most `MAX_BODY_BYTES` of it (push services answer a few hundred). */
  body: string;
}

export interface H2Request {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export interface H2Client {
  /** Resolves with the answer's status and body; rejects on any failure to get one. */
  request(url: URL, request: H2Request): Promise<H2Response>;
  /** Closes every session. */
  close(): void;
}

/** A request the other side did not answer within the time allowed. */
export class RequestTimeoutError extends Error {
  readonly code = 'ERR_FERRY_PUSH_TIMEOUT';
}

const MAX_BODY_BYTES = 64 * 1024;

export function createH2Client(options: { timeoutMs: number; ca?: string | undefined }): H2Client {
  const { timeoutMs, ca } = options;
  const sessions = new Map<string, ClientHttp2Session>();

  function sessionFor(origin: string): ClientHttp2Session {
    const existing = sessions.get(origin);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = connect(origin, ca === undefined ? {} : { ca });
    const forget = () => {
      if (sessions.get(origin) === session) sessions.delete(origin);
    };
    // A failed connection fails the requests on it (each stream sees the error); the next
    // request connects again.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    // An idle session does not keep the process alive; requests in flight keep their timers.
    session.unref();
    sessions.set(origin, session);
    return session;
  }

  function once(url: URL, request: H2Request): Promise<H2Response> {
    return new Promise<H2Response>((resolve, reject) => {
      const session = sessionFor(url.origin);
      const stream = session.request({
        ':method': request.method,
        ':path': `${url.pathname}${url.search}`,
        ...request.headers,
      });
      let status = 0;
      const chunks: Buffer[] = [];
      let bytes = 0;
      const timer = setTimeout(() => {
        reject(new RequestTimeoutError(`${url.origin} did not answer within ${timeoutMs} ms`));
        stream.close(constants.NGHTTP2_CANCEL);
        // A connection that never came up would hold every later request too.
        if (session.connecting) session.destroy();
      }, timeoutMs);
      stream.on('response', (headers) => {
        status = Number(headers[':status'] ?? 0);
      });
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      stream.on('end', () => {
        clearTimeout(timer);
        resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
      });
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      // Reset by the other side, or its connection lost, without an error of its own:
      // nothing more will come. (After 'end' or 'error' this changes nothing.)
      stream.on('close', () => {
        clearTimeout(timer);
        reject(new Error(`${url.origin} closed the request without an answer`));
      });
      stream.end(request.body);
    });
  }

  return {
    async request(url, request) {
      try {
        return await once(url, request);
      } catch (error) {
        // A session the other side had just closed (GOAWAY) refuses new streams at once:
        // one more try on a new connection.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ERR_HTTP2_GOAWAY_SESSION' && code !== 'ERR_HTTP2_INVALID_SESSION')
          throw error;
        sessions.delete(url.origin);
        return once(url, request);
      }
    },
    close() {
      for (const session of sessions.values()) session.close();
      sessions.clear();
    },
  };
}
