/**
 * Plain `node:http` requests for load generators and idle streams: a keep-alive agent
 * without a socket limit, JSON posts, and event streams read line by line.
 */
import { Agent, request } from 'node:http';

export const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

export interface TextResponse {
  status: number;
  text: string;
}

export function postJson(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
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
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface OpenStream {
  close(): void;
}

/**
 * Opens a long-lived GET (an event stream or a continuous changes feed) on a socket of its
 * own; resolves once the response headers arrive with status 200. `onData` gets the value
 * of every `data:` line (SSE), or every non-empty line when the feed is not SSE.
 */
export function openStream(
  url: string,
  headers: Record<string, string>,
  onData?: (data: string) => void,
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`stream ${url} answered ${res.statusCode}`));
        return;
      }
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
          else if (line !== '' && !line.startsWith(':') && !line.includes(':')) onData(line);
          else if (line.startsWith('{')) onData(line);
          newline = buffer.indexOf('\n');
        }
      });
      res.on('error', () => {});
      resolve({ close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
