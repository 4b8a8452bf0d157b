/**
 * Reads a JSON request body once, at the boundary: checks the content type, enforces the
 * size limit on the bytes as sent and again after gzip decompression (so a small
 * compressed body cannot expand into a huge one), and parses it.
 */
import { FerryError, HEADERS, JSON_CONTENT_TYPE } from '@ferry/protocol';

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

function decodedStream(
  request: Request,
  body: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  const encoding = request.headers.get(HEADERS.contentEncoding)?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return body;
  if (encoding === 'gzip')
    return body.pipeThrough(
      new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
    );
  throw new FerryError(
    'unsupported_media_type',
    `Content-Encoding ${encoding} is not supported; use gzip or none`,
  );
}

async function readLimited(
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
    throw new FerryError(
      'invalid_request',
      'request body could not be read (truncated or badly compressed)',
    );
  }
  return Buffer.concat(chunks, total);
}

export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  assertJsonContentType(request);
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) throw new FerryError('invalid_request', 'request body is empty');
  const bytes = await readLimited(decodedStream(request, request.body), maxBytes);
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
