/**
 * `GET /metrics`: Prometheus text. It shows the process's open files, its Node version and
 * how much every route and user population writes, so who may read it is a choice: anyone,
 * only requests bearing a token (Prometheus's `authorization` scrape setting), or nobody
 * on this handler (the app, or `ferry serve --metrics-listen`, serves it elsewhere).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { FerryError, HEADERS } from '@ferry/protocol';
import type { Registry } from 'prom-client';
import { bearerToken } from '../auth/principal.ts';
import { SECRET_ADVICE, secretWeakness } from '../auth/secret-strength.ts';
import { FerryConfigError } from '../errors.ts';

/**
 * Who may read `GET /metrics`: `'public'` anyone, `{ token }` requests with
 * `Authorization: Bearer <token>` (others get 401), `false` nobody (404).
 */
export type MetricsAccess = 'public' | { token: string } | false;

/** The access the option describes, its token checked like a signing secret. */
export function resolveMetricsAccess(option: MetricsAccess | undefined): MetricsAccess {
  if (option === undefined || option === 'public' || option === false) return option ?? 'public';
  const weakness =
    typeof option.token === 'string' ? secretWeakness(option.token) : 'it is not a string';
  if (weakness !== undefined) {
    throw new FerryConfigError(
      'metrics.token',
      `The metrics token is too weak: ${weakness}. Use a random one: ${SECRET_ADVICE}.`,
    );
  }
  return option;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether a request may read the metrics: compared in constant time, so the token cannot be guessed byte by byte. */
function authorised(request: Request, expected: Buffer): boolean {
  let given: string | undefined;
  try {
    given = bearerToken(request.headers.get(HEADERS.authorization));
  } catch {
    return false;
  }
  return given !== undefined && timingSafeEqual(digest(given), expected);
}

/** Answers `GET /metrics` with the registry's text, for the access given (never `false`). */
export function metricsHandler(
  registry: Registry,
  access: Exclude<MetricsAccess, false>,
): (request: Request) => Promise<Response> {
  const expected = access === 'public' ? undefined : digest(access.token);
  return async (request) => {
    if (expected !== undefined && !authorised(request, expected)) {
      throw new FerryError(
        'unauthorized',
        'metrics need "Authorization: Bearer <token>" with the metrics token',
      );
    }
    const text = await registry.metrics();
    return new Response(text, { headers: { 'content-type': registry.contentType } });
  };
}
