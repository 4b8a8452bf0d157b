/**
 * Plain `node:http` requests for load generators and idle streams: a keep-alive agent
 * without a socket limit, JSON posts, and event streams read line by line.
 */
import { Agent, request } from 'node:http';

export const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

export interface TextResponse {
  status: number;
  text: string;
  /** The Retry-After header, if any. */
  retryAfter: string | undefined;
}

export function postJson(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  via: Agent = agent,
): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: via,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfter: res.headers['retry-after'],
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Opens the connection of `agent` (a client's own keep-alive agent) to `url`'s server with
 * one GET of `/`, whatever it answers, so that a load starting next finds it open.
 */
export function openConnection(url: string, via: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${new URL(url).origin}/`, { method: 'GET', agent: via }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface OpenStream {
  /** True once the response headers arrived with status 200. */
  answered(): boolean;
  close(): void;
}

/**
 * Opens a long-lived GET (an event stream or a continuous changes feed) on a socket of its
 * own. Resolves once the response headers arrive with status 200 or, when `awaitHeaders`
 * is false (a server that sends them only with its first heartbeat), once the request is
 * sent. `onData` gets the value of every `data:` line (SSE), or every JSON line of a feed.
 */
export function openStream(
  url: string,
  headers: Record<string, string>,
  onData?: (data: string) => void,
  awaitHeaders = true,
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const stream: OpenStream = { answered: () => answered, close: () => req.destroy() };
    const req = request(url, { method: 'GET', headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`stream ${url} answered ${res.statusCode}`));
        return;
      }
      answered = true;
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (!onData) return;
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line.startsWith('data:')) onData(line.slice(5).trim());
          else if (line.startsWith('{')) onData(line);
          newline = buffer.indexOf('\n');
        }
      });
      res.on('error', () => {});
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
    if (!awaitHeaders) req.once('finish', () => resolve(stream));
  });
}
