/**
 * Push and pull answers, gzip-compressed when the client accepts gzip and the body is over
 * 1 KiB. Smaller bodies go as they are: compressing a few hundred bytes costs more time
 * than it saves, and most pulls and pushes are that small. The body is already whole in
 * memory, so it is compressed in one call, on libuv's thread pool (the event loop keeps
 * serving), at zlib's fastest level: on JSON pages it keeps most of the saving of the
 * default level at a fraction of its CPU, which is what a sync server spends its time on.
 */
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { HEADERS } from '@ferry/protocol';
import { jsonResponse } from './responses.ts';

/** Bodies up to this many bytes are never compressed. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

const gzipAsync = promisify(gzip);
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };

/** True when `Accept-Encoding` accepts gzip (by name or by `*`) with a non-zero quality. */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  let wildcard = false;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    const quality = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const accepted = quality === undefined || Number(quality.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return accepted;
    if (coding === '*') wildcard = accepted;
  }
  return wildcard;
}

/** A JSON response to `request`, compressed when that pays (see above) and `enabled`. */
export async function compressibleJsonResponse(
  request: Request,
  enabled: boolean,
  body: string | Uint8Array<ArrayBuffer> | object,
): Promise<Response> {
  const payload =
    typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  // Caches between client and server must not hand a gzipped body to a client without gzip.
  const vary = { vary: HEADERS.acceptEncoding };
  const size = () =>
    typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (
    !enabled ||
    size() <= COMPRESSION_THRESHOLD_BYTES ||
    !acceptsGzip(request.headers.get(HEADERS.acceptEncoding))
  ) {
    return jsonResponse(payload, 200, vary);
  }
  const compressed = (await gzipAsync(payload, GZIP_OPTIONS)) as Uint8Array<ArrayBuffer>;
  return jsonResponse(compressed, 200, { ...vary, [HEADERS.contentEncoding]: 'gzip' });
}
