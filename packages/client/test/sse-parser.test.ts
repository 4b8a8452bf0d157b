import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from '../src/sse-parser.ts';

function parse(chunks: readonly string[]) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = createSseParser({
    onEvent: (event) => events.push(event),
    onComment: (text) => comments.push(text),
  });
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments };
}

const POKES =
  'event: poke\ndata: {"version": 1302}\n\n: ping\n\nevent: poke\ndata: {"version": 1303}\n\n';

describe('SSE parser', () => {
  it('reads named events and comments', () => {
    const { events, comments } = parse([POKES]);
    expect(events).toEqual([
      { event: 'poke', data: '{"version": 1302}', lastEventId: '' },
      { event: 'poke', data: '{"version": 1303}', lastEventId: '' },
    ]);
    expect(comments).toEqual([' ping']);
  });

  it('joins multi-line data with newlines and defaults the event name to "message"', () => {
    const { events } = parse(['data: first\ndata:second\ndata\n\n']);
    expect(events).toEqual([{ event: 'message', data: 'first\nsecond\n', lastEventId: '' }]);
  });

  it('accepts CRLF, LF and lone CR line endings', () => {
    const crlf = parse([POKES.replaceAll('\n', '\r\n')]);
    const cr = parse([POKES.replaceAll('\n', '\r')]);
    const lf = parse([POKES]);
    expect(crlf).toEqual(lf);
    expect(cr).toEqual(lf);
  });

  it('treats CR and LF split across two chunks as one line ending', () => {
    const { events } = parse(['event: poke\r', '\ndata: 1\r', '\n\r', '\n']);
    expect(events).toEqual([{ event: 'poke', data: '1', lastEventId: '' }]);
  });

  it('gives the same events however the stream is split into chunks', () => {
    const stream = `\uFEFF${POKES.replaceAll('\n', '\r\n')}id: 7\ndata: a\r\ndata: b\n\n`;
    const whole = parse([stream]);
    expect(whole.events).toHaveLength(3);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 })), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
        const chunks = points.slice(1).map((end, i) => stream.slice(points[i], end));
        expect(parse(chunks)).toEqual(whole);
      }),
    );
  });

  it('does not dispatch an event without data, nor a trailing event without a blank line', () => {
    const { events } = parse(['event: poke\n\n', 'event: poke\ndata: x\n']);
    expect(events).toEqual([]);
  });

  it('keeps the last event id and strips only one leading space from values', () => {
    const { events } = parse(['id: 42\ndata:  two spaces\n\n', 'data: next\n\n']);
    expect(events).toEqual([
      { event: 'message', data: ' two spaces', lastEventId: '42' },
      { event: 'message', data: 'next', lastEventId: '42' },
    ]);
  });

  it('strips a byte order mark only at the start of the stream', () => {
    const { events } = parse(['\uFEFF', 'data: x\n\n']);
    expect(events).toEqual([{ event: 'message', data: 'x', lastEventId: '' }]);
  });
});
