/**
 * A Server-Sent Events parser (the WHATWG event-stream format), fed text in chunks that may
 * be split anywhere, even between the CR and LF of one line ending. Only what Ferry needs
 * is kept: `event`, `data` (multi-line), `id` and comments; `retry` is ignored because the
 * client runs its own backoff.
 */

export interface SseEvent {
  /** The `event:` field, or 'message' when absent. */
  event: string;
  /** The `data:` lines joined with '\n'. */
  data: string;
  /** The last `id:` seen on the stream, or '' if none. */
  lastEventId: string;
}

export interface SseParser {
  /** Feeds the next piece of decoded text. */
  push(text: string): void;
}

export interface SseHandlers {
  onEvent(event: SseEvent): void;
  /** A comment line (`: ping`), without its leading colon. */
  onComment?(text: string): void;
}

export function createSseParser(handlers: SseHandlers): SseParser {
  let buffer = '';
  let atStreamStart = true;
  /** The previous chunk ended with CR, so an LF opening this one belongs to that line end. */
  let skipLeadingLf = false;
  let eventName = '';
  let data: string[] = [];
  let lastEventId = '';

  const dispatch = () => {
    if (data.length > 0) {
      handlers.onEvent({ event: eventName || 'message', data: data.join('\n'), lastEventId });
    }
    eventName = '';
    data = [];
  };

  const processLine = (line: string) => {
    if (line === '') return dispatch();
    const colon = line.indexOf(':');
    if (colon === 0) return handlers.onComment?.(line.slice(1));
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventName = value;
        break;
      case 'data':
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\u0000')) lastEventId = value;
        break;
      default:
      // 'retry' and unknown fields are ignored, as the format requires for unknown ones.
    }
  };

  return {
    push(text) {
      if (text === '') return;
      if (skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
      skipLeadingLf = false;
      buffer += text;
      if (atStreamStart && buffer.length > 0) {
        if (buffer.startsWith('\uFEFF')) buffer = buffer.slice(1);
        atStreamStart = false;
      }
      let start = 0;
      for (;;) {
        const cr = buffer.indexOf('\r', start);
        const lf = buffer.indexOf('\n', start);
        if (cr === -1 && lf === -1) break;
        const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
        processLine(buffer.slice(start, end));
        if (buffer[end] === '\r') {
          if (end + 1 === buffer.length) {
            skipLeadingLf = true;
            start = end + 1;
            break;
          }
          start = buffer[end + 1] === '\n' ? end + 2 : end + 1;
        } else {
          start = end + 1;
        }
      }
      buffer = buffer.slice(start);
    },
  };
}
