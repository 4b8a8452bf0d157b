/**
 * Reads a JSON request body once, at the boundary: checks the content type, enforces the
 * size limit on the bytes as sent and again after gzip decompression (so a small
 * compressed body cannot expand into a huge one), and parses it.
 */
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { FerryError, HEADERS, JSON_CONTENT_TYPE } from '@ferry/protocol';
import type { Context } from 'hono';
import { nodeRequestOf } from './node-env.ts';

const gunzipAsync = promisify(gunzip);

function assertJsonContentType(request: Request): void {
  const type = request.headers.get(HEADERS.contentType);
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== JSON_CONTENT_TYPE) {
    throw new FerryError(
      'unsupported_media_type',
      `Content-Type must be ${JSON_CONTENT_TYPE}, got ${type ?? 'none'}`,
    );
  }
}

function tooLarge(maxBytes: number): FerryError {
  return new FerryError('payload_too_large', `request body exceeds the limit of ${maxBytes} bytes`);
}

/**
 * The body's bytes as sent, from Node's own request when the server runs on Node (no web
 * stream is made for it: that costs more than the rest of a small push), or from the web
 * `Request` anywhere else.
 */
function readSentBytes(
  request: Request,
  incoming: Readable | undefined,
  maxBytes: number,
): Promise<Uint8Array> {
  if (bodyAlreadyRead(request, incoming)) throw bodyReadBeforeFerry();
  if (incoming && !incoming.readableEnded && !incoming.destroyed) {
    return readIncoming(incoming, maxBytes);
  }
  if (!request.body) throw new FerryError('invalid_request', 'request body is empty');
  return readStream(request.body, maxBytes);
}

/**
 * True when something in front of Ferry consumed the body: a body parser such as
 * `express.json()` reads Node's request and leaves its result on `req.body`, so what is
 * left to read is empty. A `rawBody` buffer (kept by some hosts, e.g. Cloud Functions) is
 * the body itself and is read from the web request.
 */
function bodyAlreadyRead(request: Request, incoming: Readable | undefined): boolean {
  if (request.bodyUsed) return true;
  if (incoming === undefined) return false;
  const host = incoming as Readable & { rawBody?: unknown; body?: unknown };
  if (host.rawBody instanceof Uint8Array) return false;
  return incoming.readableDidRead || host.body !== undefined;
}

function bodyReadBeforeFerry(): FerryError {
  return new FerryError(
    'invalid_request',
    'the request body was read before it reached Ferry, most likely by a body parser (such as express.json()) mounted in front of it; mount Ferry before any body parser, e.g. app.use("/sync", nodeListener(ferry)) ahead of app.use(express.json()): Ferry reads and limits request bodies itself',
  );
}

function truncated(): FerryError {
  return new FerryError(
    'invalid_request',
    'request body could not be read (truncated or badly compressed)',
  );
}

function readIncoming(incoming: Readable, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (outcome: () => void) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onFail);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total <= maxBytes) chunks.push(chunk);
      // The rest is read and dropped, so the connection can still carry the 413.
      else finish(() => reject(tooLarge(maxBytes)));
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks, total)));
    const onFail = () => finish(() => reject(truncated()));
    incoming.on('data', onData).on('end', onEnd).on('error', onFail).on('close', onFail);
  });
}

async function readStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof FerryError) throw error;
    throw truncated();
  }
  return Buffer.concat(chunks, total);
}

/** The sent bytes decoded per `Content-Encoding`, never expanding past `maxBytes`. */
async function decoded(request: Request, sent: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const encoding = request.headers.get(HEADERS.contentEncoding)?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return sent;
  if (encoding !== 'gzip') {
    throw new FerryError(
      'unsupported_media_type',
      `Content-Encoding ${encoding} is not supported; use gzip or none`,
    );
  }
  try {
    return await gunzipAsync(sent, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw truncated();
  }
}

export async function readJsonBody(c: Context, maxBytes: number): Promise<unknown> {
  const request = c.req.raw;
  assertJsonContentType(request);
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const sent = await readSentBytes(request, nodeRequestOf(c), maxBytes);
  const bytes = await decoded(request, sent, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FerryError('invalid_request', 'request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FerryError(
      'invalid_request',
      `request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
