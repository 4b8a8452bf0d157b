/** A reader that stops reading cannot make pokes pile up: they collapse into one carrying the latest version. */
import { describe, expect, it } from 'vitest';
import { PokeHub } from '../src/events/hub.ts';
import { EventStreams } from '../src/events/stream.ts';

function open(hub: PokeHub, spaces: string[]) {
  const controller = new AbortController();
  const streams = new EventStreams({ hub, heartbeatMs: 60_000, register: () => () => {} });
  const response = streams.open(spaces, controller.signal);
  return { reader: response.body!.pipeThrough(new TextDecoderStream()).getReader(), controller };
}

async function readAvailable(
  reader: ReadableStreamDefaultReader<string>,
  untilVersion: number,
): Promise<number[]> {
  const versions: number[] = [];
  let text = '';
  while (!versions.includes(untilVersion)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    versions.push(...[...text.matchAll(/data: \{"version":(\d+)\}/g)].map((m) => Number(m[1])));
    text = text.slice(text.lastIndexOf('\n\n') + 2);
  }
  return versions;
}

describe('a slow event-stream reader', () => {
  it('gets a bounded number of pokes, the last one with the newest version, while others keep up', async () => {
    const hub = new PokeHub();
    const slow = open(hub, ['s']);
    const fast = open(hub, ['s']);
    const fastSeen: number[] = [];
    const fastReading = (async () => {
      fastSeen.push(...(await readAvailable(fast.reader, 10_000)));
    })();
    for (let version = 1; version <= 10_000; version++) {
      hub.publish(['s'], version);
      // Let the fast reader run between commits, as real commits would.
      if (version % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await fastReading;
    expect(fastSeen.at(-1)).toBe(10_000);
    // The slow reader starts reading only now: a handful of queued pokes, then the newest.
    const slowSeen = await readAvailable(slow.reader, 10_000);
    expect(slowSeen.length).toBeLessThan(20);
    expect(slowSeen.at(-1)).toBe(10_000);
    slow.controller.abort();
    fast.controller.abort();
    expect(hub.subscriberCount).toBe(0);
  });
});
