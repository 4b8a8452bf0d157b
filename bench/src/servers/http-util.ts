/** The little a bare `node:http` server needs: read a JSON body, answer JSON, hold SSE streams. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export function sendJson(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Open SSE responses by topic; `publish` writes one event to each. */
export class SseTopics {
  private readonly byTopic = new Map<string, Set<ServerResponse>>();

  open(topic: string, request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write(': open\n\n');
    let set = this.byTopic.get(topic);
    if (!set) {
      set = new Set();
      this.byTopic.set(topic, set);
    }
    set.add(response);
    request.on('close', () => set.delete(response));
  }

  publish(topic: string, data: string): void {
    for (const response of this.byTopic.get(topic) ?? []) response.write(`data: ${data}\n\n`);
  }

  closeAll(): void {
    for (const set of this.byTopic.values()) for (const response of set) response.end();
    this.byTopic.clear();
  }
}
