/**
 * Event streams written straight to Node's response: status and headers (the request id
 * among them) go out with the opening chunks, a consumer that stops reading gets a bounded
 * number of pokes ending with the newest, and a closed connection is forgotten.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PokeHub } from '../src/events/hub.ts';
import { EventStreams, type NodeResponse } from '../src/events/stream.ts';

/** A response whose socket takes nothing until `release()`: Node's buffer fills up. */
function stalledResponse() {
  let text = '';
  const held: (() => void)[] = [];
  let flowing = false;
  const head: { status?: number; headers?: Record<string, string> } = {};
  const writable = new Writable({
    highWaterMark: 256,
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      if (flowing) done();
      else held.push(done);
    },
  });
  const response = Object.assign(writable, {
    writeHead(status: number, headers: Record<string, string>) {
      head.status = status;
      head.headers = headers;
      return response;
    },
  }) as unknown as NodeResponse & Writable;
  return {
    response,
    head,
    text: () => text,
    pokes: () => [...text.matchAll(/data: \{"version":(\d+)\}/g)].map((m) => Number(m[1])),
    release() {
      flowing = true;
      for (const done of held.splice(0)) done();
    },
  };
}

function setup() {
  const hub = new PokeHub();
  const streams = new EventStreams({ hub, heartbeatMs: 60_000, register: () => () => {} });
  return { hub, streams };
}

describe('an event stream on Node’s response', () => {
  it('sends the status and headers with the opening chunks', () => {
    const { hub, streams } = setup();
    const stalled = stalledResponse();
    stalled.release();
    streams.openOnNode(['s'], stalled.response, { 'x-request-id': 'req-7' });
    expect(stalled.head.status).toBe(200);
    expect(stalled.head.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'x-request-id': 'req-7',
    });
    expect(stalled.text()).toBe(
      'retry: 2000\n: heartbeat 60000\n\nevent: poke\ndata: {"version":0}\n\n',
    );
    hub.publish(['s'], 3);
    hub.publish(['other'], 4);
    expect(stalled.pokes()).toEqual([0, 3]);
    stalled.response.destroy();
  });

  it('collapses pokes while the consumer does not read, and sends the newest when it does', async () => {
    const { hub, streams } = setup();
    const stalled = stalledResponse();
    streams.openOnNode(['s'], stalled.response, {});
    for (let version = 1; version <= 10_000; version++) hub.publish(['s'], version);
    // Node's buffer holds what was written before it filled; nothing after.
    const written = stalled.pokes().length;
    expect(written).toBeLessThan(20);
    stalled.release();
    await new Promise((resolve) => setImmediate(resolve));
    const pokes = stalled.pokes();
    expect(pokes.length).toBeLessThan(written + 20);
    expect(pokes.at(-1)).toBe(10_000);
    stalled.response.destroy();
  });

  it('forgets a stream whose connection closed', async () => {
    const { hub, streams } = setup();
    const stalled = stalledResponse();
    stalled.release();
    streams.openOnNode(['s'], stalled.response, {});
    expect(hub.subscriberCount).toBe(1);
    expect(streams.size).toBe(1);
    stalled.response.destroy();
    await new Promise((resolve) => stalled.response.once('close', resolve));
    expect(hub.subscriberCount).toBe(0);
    expect(streams.size).toBe(0);
    // A commit after the close writes nothing and throws nothing.
    const before = stalled.text();
    hub.publish(['s'], 99);
    expect(stalled.text()).toBe(before);
  });
});
