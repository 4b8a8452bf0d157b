/**
 * Push and pull answers, compressed when that saves the client time. The body is already
 * whole in memory, so it is compressed in one call, on libuv's thread pool (the event loop
 * keeps serving), at a fast setting: a sync server spends its time on CPU, and a pull page
 * of JSON is highly repetitive, so the fast settings keep most of the saving.
 *
 * - Bodies up to 1 KiB go as they are: compressing a few hundred bytes costs more time than
 *   it saves, and most pulls and pushes are that small.
 * - Brotli (quality 1) where the client accepts it — browsers do over HTTPS — else gzip
 *   (level 1). On a page of 1,000 JSON records brotli's fastest setting takes half the time
 *   of gzip's and makes a body as small or smaller; on records shaped like an app's,
 *   quality 4 made it 5 % smaller at three times the time, which only a link slower than
 *   about 20 Mbit/s repays (docs/benchmarks.md).
 * - `'auto'` (the default) sends nothing compressed to a client on this machine or a
 *   private network (loopback, RFC 1918, link-local, IPv6 unique-local): over such a link a
 *   megabyte takes about a millisecond, less than compressing it, so compression would
 *   only slow that client down. The client is the connection's peer, as Node reports it;
 *   when that peer is itself on such a network (a reverse proxy) and the request carries
 *   `X-Forwarded-For` or `Forwarded`, it is the first address there. A client could claim
 *   any address there, which changes nothing but whether its own answers are compressed.
 *   Where the peer is unknown (served other than on Node), answers are compressed.
 */
import { BlockList, isIP } from 'node:net';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { HEADERS } from '@ferry/protocol';
import type { Context } from 'hono';
import { type AppEnv, nodeRequestOf } from './node-env.ts';
import { jsonResponse } from './responses.ts';

/** `true`: compress for every client that accepts it; `false`: never; `'auto'`: see above. */
export type CompressionMode = boolean | 'auto';

/** Bodies up to this many bytes are never compressed. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

export type ContentCoding = 'br' | 'gzip';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
const GZIP_LEVEL = constants.Z_BEST_SPEED;
const BROTLI_QUALITY = 1;

/** The quality `header` gives each coding, by lower-case name (`*` included). */
function qualities(header: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    const quality = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const value = quality === undefined ? 1 : Number(quality.slice(2));
    out.set(coding, Number.isFinite(value) ? value : 0);
  }
  return out;
}

/**
 * The codings `Accept-Encoding: header` allows, the client's most wanted first (brotli
 * before gzip at equal quality), by name or by `*`; empty when it allows neither.
 */
export function acceptedCodings(header: string | null): ContentCoding[] {
  if (!header) return [];
  const q = qualities(header);
  const wildcard = q.get('*') ?? 0;
  const ranked: [ContentCoding, number][] = [
    ['br', q.get('br') ?? wildcard],
    ['gzip', q.get('gzip') ?? q.get('x-gzip') ?? wildcard],
  ];
  return ranked
    .filter(([, quality]) => quality > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([coding]) => coding);
}

/** The coding to answer `Accept-Encoding: header` with, or undefined for none. */
export function preferredCoding(header: string | null): ContentCoding | undefined {
  return acceptedCodings(header)[0];
}

/** True when `Accept-Encoding` accepts gzip (by name or by `*`) with a non-zero quality. */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  const q = qualities(header);
  return (q.get('gzip') ?? q.get('x-gzip') ?? q.get('*') ?? 0) > 0;
}

const NEARBY = new BlockList();
for (const [first, bits] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
] as const)
  NEARBY.addSubnet(first, bits, 'ipv4');
for (const [first, bits] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  NEARBY.addSubnet(first, bits, 'ipv6');

/**
 * True for an address on this machine or a private network: loopback, RFC 1918, link-local
 * and IPv6 unique-local (IPv4-mapped IPv6 as the IPv4 address inside). Not an address: false.
 */
export function isNearbyAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return false;
  return NEARBY.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** The first address of `X-Forwarded-For`, or of `Forwarded`'s `for=`; undefined when none. */
function forwardedFor(headers: Headers): string | undefined {
  const xff = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  if (xff) return xff;
  const forwarded = /(?:^|[;,\s])for="?([^",;]+)"?/i.exec(headers.get('forwarded') ?? '')?.[1];
  // `Forwarded` writes IPv6 as "[2001:db8::1]:port" and IPv4 as "192.0.2.1:port".
  return forwarded?.replace(/^\[([^\]]+)\].*$/, '$1').replace(/^([\d.]+):\d+$/, '$1');
}

/** The client's address as far as it is known (see above), or undefined. */
export function clientAddress(request: Request, peer: string | undefined): string | undefined {
  if (peer === undefined || !isNearbyAddress(peer)) return peer;
  return forwardedFor(request.headers) ?? peer;
}

/** Whether a body for this request is worth compressing, by mode and client address. */
function wanted(mode: CompressionMode, request: Request, peer: string | undefined): boolean {
  if (mode !== 'auto') return mode;
  const client = clientAddress(request, peer);
  return client === undefined || !isNearbyAddress(client);
}

function peerOf(c: Context<AppEnv>): string | undefined {
  const incoming = nodeRequestOf(c) as { socket?: { remoteAddress?: string } } | undefined;
  return incoming?.socket?.remoteAddress;
}

/** The body compressed with `coding`, at the settings above. */
export async function compressBody(
  payload: string | Uint8Array,
  coding: ContentCoding,
): Promise<Uint8Array<ArrayBuffer>> {
  if (coding === 'gzip')
    return (await gzipAsync(payload, { level: GZIP_LEVEL })) as Uint8Array<ArrayBuffer>;
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  return (await brotliAsync(payload, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: size,
    },
  })) as Uint8Array<ArrayBuffer>;
}

/** A JSON response to the request of `c`, compressed when that pays (see above). */
export async function compressibleJsonResponse(
  c: Context<AppEnv>,
  mode: CompressionMode,
  body: string | Uint8Array<ArrayBuffer> | object,
): Promise<Response> {
  const request = c.req.raw;
  const payload =
    typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  // Caches between client and server must not hand a compressed body to a client without it.
  const vary = { vary: HEADERS.acceptEncoding };
  if (mode === false) return jsonResponse(payload, 200, vary);
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  const coding =
    size > COMPRESSION_THRESHOLD_BYTES
      ? preferredCoding(request.headers.get(HEADERS.acceptEncoding))
      : undefined;
  if (coding === undefined || !wanted(mode, request, peerOf(c))) {
    return jsonResponse(payload, 200, vary);
  }
  const compressed = await compressBody(payload, coding);
  return jsonResponse(compressed, 200, { ...vary, [HEADERS.contentEncoding]: coding });
}
