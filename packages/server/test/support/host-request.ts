/** Requests over a real socket with a `Host` header of the test's choosing, which `fetch` does not allow. */
import { request } from 'node:http';

export interface HostResponse {
  status: number;
  text: string;
  json(): any;
}

/** Sends `method path` to the server at `url` (its socket), naming `host` in the Host header. */
export function requestWithHost(
  url: string,
  path: string,
  host: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<HostResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: target.port,
        path,
        method: options.method ?? 'GET',
        headers: {
          host,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text, json: () => JSON.parse(text) }),
        );
        response.on('error', reject);
      },
    );
    sent.on('error', reject);
    sent.end(options.body);
  });
}
