/** Reads a Server-Sent Events response in tests: collects events and comments as they arrive. */
export interface SseRecord {
  event?: string;
  data?: string;
  comment?: string;
  retry?: number;
}

export class SseReader {
  readonly records: SseRecord[] = [];
  readonly closed: Promise<void>;
  private waiters: Array<() => void> = [];
  private readonly reader: ReadableStreamDefaultReader<string>;

  constructor(response: Response) {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    this.reader = reader;
    this.closed = (async () => {
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
      this.notify();
    })();
  }

  /** Hangs up, as a client closing its page would. */
  async close(): Promise<void> {
    await this.reader.cancel();
    await this.closed;
  }

  private parse(block: string): void {
    const record: SseRecord = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) record.comment = line.slice(1).trim();
      else if (line.startsWith('event:')) record.event = line.slice(6).trim();
      else if (line.startsWith('data:')) record.data = line.slice(5).trim();
      else if (line.startsWith('retry:')) record.retry = Number(line.slice(6).trim());
    }
    this.records.push(record);
    this.notify();
  }

  private notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  get pokes(): number[] {
    return this.records.filter((r) => r.event === 'poke').map((r) => JSON.parse(r.data!).version);
  }

  /** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`condition not met; records: ${JSON.stringify(this.records)}`);
      await Promise.race([
        new Promise<void>((r) => this.waiters.push(r)),
        new Promise((r) => setTimeout(r, 50)),
      ]);
    }
  }
}
