import { describe, expect, it, vi } from 'vitest';
import {
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryTokenError,
} from '../src/errors.ts';
import {
  expirableToken,
  joinUrl,
  parseRetryAfter,
  postJson,
  withAuth,
  withResponseCheck,
} from '../src/fetch.ts';

const now = () => Date.parse('2030-01-01T00:00:00Z');

function fetchReturning(...responses: Array<Response | Error>) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    const next = responses.shift();
    if (next === undefined) throw new Error('no more scripted responses');
    if (next instanceof Error) throw next;
    return next;
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });
const authOf = (init: RequestInit | undefined) => new Headers(init?.headers).get('authorization');

describe('joinUrl', () => {
  it('appends a route to a base URL with or without a path prefix and trailing slashes', () => {
    expect(joinUrl('https://app.example', '/v1/pull')).toBe('https://app.example/v1/pull');
    expect(joinUrl('https://app.example/sync', '/v1/pull')).toBe(
      'https://app.example/sync/v1/pull',
    );
    expect(joinUrl('https://app.example/sync//', '/v1/push')).toBe(
      'https://app.example/sync/v1/push',
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    expect(parseRetryAfter('120', now())).toBe(120);
    expect(parseRetryAfter(' 0 ', now())).toBe(0);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now())).toBe(30);
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now())).toBe(0);
    expect(parseRetryAfter('soon', now())).toBeUndefined();
    expect(parseRetryAfter('-5', now())).toBeUndefined();
    expect(parseRetryAfter(null, now())).toBeUndefined();
  });
});

describe('withResponseCheck', () => {
  it('passes 2xx responses through untouched', async () => {
    const ok = new Response('{}', { status: 200 });
    const { fetch } = fetchReturning(ok);
    expect(await withResponseCheck(fetch, { now })('https://x.test/v1/pull')).toBe(ok);
  });

  it('turns a protocol error response into FerryHttpError, honouring Retry-After', async () => {
    const { fetch } = fetchReturning(
      new Response(errorBody('unavailable', 'draining'), {
        status: 503,
        headers: { 'retry-after': '7' },
      }),
    );
    const error = await withResponseCheck(fetch, { now })('https://x.test/v1/pull', {
      method: 'POST',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryHttpError);
    expect(error).toMatchObject({
      code: 'unavailable',
      status: 503,
      retryAfterSeconds: 7,
      serverMessage: 'draining',
    });
    expect((error as Error).message).toContain('POST https://x.test/v1/pull');
  });

  it('still produces a useful error from a non-JSON error body', async () => {
    const { fetch } = fetchReturning(
      new Response('<h1>502 Bad Gateway</h1>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const error = await withResponseCheck(fetch, { now })('https://x.test/v1/push').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FerryHttpError);
    // No Ferry body: the code is the one its status stands for (a gateway without a server).
    expect(error).toMatchObject({ code: 'unavailable', status: 502 });
    expect((error as Error).message).toContain('<h1>502 Bad Gateway</h1>');
  });

  it('turns a failed fetch into FerryNetworkError with the cause', async () => {
    const cause = new TypeError('fetch failed');
    const { fetch } = fetchReturning(cause);
    const error = await withResponseCheck(fetch, { now })('https://x.test/v1/pull').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FerryNetworkError);
    expect(error).toMatchObject({ aborted: false, url: 'https://x.test/v1/pull', cause });
  });

  it('marks a fetch cancelled through its signal as aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { fetch } = fetchReturning(new DOMException('aborted', 'AbortError'));
    const error = await withResponseCheck(fetch, { now })('https://x.test/v1/pull', {
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryNetworkError);
    expect((error as FerryNetworkError).aborted).toBe(true);
  });
});

describe('withAuth', () => {
  it('sends the token from getToken({ refresh: false }) and keeps other headers', async () => {
    const { fetch, calls } = fetchReturning(new Response('ok'));
    const getToken = vi.fn(() => 't1');
    await withAuth(fetch, getToken)('https://x.test/v1/pull', {
      headers: { 'x-extra': 'kept' },
    });
    expect(getToken).toHaveBeenCalledWith({ refresh: false });
    expect(authOf(calls[0]?.init)).toBe('Bearer t1');
    expect(new Headers(calls[0]?.init?.headers).get('x-extra')).toBe('kept');
  });

  it('on a 401 refreshes the token once and retries once, resending the body', async () => {
    const { fetch, calls } = fetchReturning(
      new Response(errorBody('unauthorized', 'expired'), { status: 401 }),
      new Response('ok'),
    );
    const getToken = vi.fn(async ({ refresh }: { refresh: boolean }) => (refresh ? 'new' : 'old'));
    const response = await withAuth(fetch, getToken)('https://x.test/v1/push', {
      method: 'POST',
      body: '{"a":1}',
    });
    expect(await response.text()).toBe('ok');
    expect(getToken.mock.calls).toEqual([[{ refresh: false }], [{ refresh: true }]]);
    expect(calls.map((c) => authOf(c.init))).toEqual(['Bearer old', 'Bearer new']);
    expect(calls[1]?.init?.body).toBe('{"a":1}');
  });

  it('passes a second 401 on instead of looping', async () => {
    const { fetch, calls } = fetchReturning(
      new Response('', { status: 401 }),
      new Response('', { status: 401 }),
    );
    const getToken = vi.fn(() => 't');
    const response = await withAuth(fetch, getToken)('https://x.test/v1/pull');
    expect(response.status).toBe(401);
    expect(calls).toHaveLength(2);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('also refreshes when the inner fetch throws the 401 as a FerryHttpError', async () => {
    const { fetch, calls } = fetchReturning(
      new Response(errorBody('unauthorized', 'expired'), { status: 401 }),
      new Response(errorBody('unauthorized', 'still bad'), { status: 401 }),
    );
    const checked = withResponseCheck(fetch, { now });
    const getToken = vi.fn(({ refresh }: { refresh: boolean }) => (refresh ? 'new' : 'old'));
    const error = await withAuth(
      checked,
      getToken,
    )('https://x.test/v1/pull').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryHttpError);
    expect((error as FerryHttpError).serverMessage).toBe('still bad');
    expect(calls.map((c) => authOf(c.init))).toEqual(['Bearer old', 'Bearer new']);
  });

  it('does not retry other failures', async () => {
    const { fetch, calls } = fetchReturning(new Response('', { status: 403 }));
    const getToken = vi.fn(() => 't');
    const response = await withAuth(fetch, getToken)('https://x.test/v1/pull');
    expect(response.status).toBe(403);
    expect(calls).toHaveLength(1);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('wraps an error thrown by getToken in a FerryTokenError that keeps it as its cause', async () => {
    const { fetch, calls } = fetchReturning();
    const failure = new Error('signed out');
    const error = await withAuth(fetch, () => {
      throw failure;
    })('https://x.test/v1/pull').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryTokenError);
    expect(error).toMatchObject({ code: 'token_unavailable', cause: failure });
    expect((error as Error).message).toContain('signed out');
    expect(calls).toHaveLength(0);
  });

  it('wraps a rejection of getToken on refresh the same way', async () => {
    const { fetch } = fetchReturning(new Response('', { status: 401 }));
    const error = await withAuth(fetch, ({ refresh }) =>
      refresh ? Promise.reject(new Error('session ended')) : 'old',
    )('https://x.test/v1/pull').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryTokenError);
    expect((error as FerryTokenError).cause).toEqual(new Error('session ended'));
  });

  it('refuses an empty token with a FerryConfigError', async () => {
    const { fetch } = fetchReturning(new Response('ok'));
    await expect(withAuth(fetch, () => '')('https://x.test/v1/pull')).rejects.toThrow(
      FerryConfigError,
    );
  });

  it('shares one refresh between requests refused at the same time', async () => {
    const { fetch } = fetchReturning(
      new Response('', { status: 401 }),
      new Response('', { status: 401 }),
      new Response('a'),
      new Response('b'),
    );
    let refreshes = 0;
    const getToken = async ({ refresh }: { refresh: boolean }) => {
      if (!refresh) return 'old';
      refreshes += 1;
      await new Promise((resolve) => setTimeout(resolve, 0));
      return 'new';
    };
    const authed = withAuth(fetch, getToken);
    const responses = await Promise.all([authed('https://x.test/a'), authed('https://x.test/b')]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(refreshes).toBe(1);
  });

  it('retries a Request object with a fresh copy of its body', async () => {
    const bodies: string[] = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      bodies.push(await request.text());
      return new Response('', { status: bodies.length === 1 ? 401 : 200 });
    }) as typeof globalThis.fetch;
    const request = new Request('https://x.test/v1/push', { method: 'POST', body: 'payload' });
    const response = await withAuth(fetch, () => 't')(request);
    expect(response.status).toBe(200);
    expect(bodies).toEqual(['payload', 'payload']);
  });
});

describe('expirableToken', () => {
  /** A provider that caches its token, as apps do, and mints a new one only on refresh. */
  function cachingProvider() {
    const calls: boolean[] = [];
    let minted = 1;
    const provider = async ({ refresh }: { refresh: boolean }) => {
      calls.push(refresh);
      if (refresh) minted += 1;
      await new Promise((resolve) => setTimeout(resolve, 0));
      return `token-${minted}`;
    };
    return { provider, calls };
  }

  it('passes calls through until expire(), then asks for a fresh token once', async () => {
    const { provider, calls } = cachingProvider();
    const tokens = expirableToken(provider);
    expect(await tokens.getToken({ refresh: false })).toBe('token-1');
    tokens.expire();
    expect(await tokens.getToken({ refresh: false })).toBe('token-2');
    expect(await tokens.getToken({ refresh: false })).toBe('token-2');
    expect(calls).toEqual([false, true, false]);
  });

  it('shares one refresh between the calls made while it is under way', async () => {
    const { provider, calls } = cachingProvider();
    const tokens = expirableToken(provider);
    tokens.expire();
    const answers = await Promise.all([
      tokens.getToken({ refresh: false }),
      tokens.getToken({ refresh: false }),
    ]);
    expect(answers).toEqual(['token-2', 'token-2']);
    expect(calls).toEqual([true]);
  });

  it('asks again after a refresh that failed, and after an expire() during a refresh', async () => {
    let fail = true;
    const calls: boolean[] = [];
    const tokens = expirableToken(async ({ refresh }) => {
      calls.push(refresh);
      if (refresh && fail) throw new Error('the identity provider is down');
      return refresh ? 'fresh' : 'cached';
    });
    tokens.expire();
    await expect(tokens.getToken({ refresh: false })).rejects.toThrow('down');
    fail = false;
    const during = tokens.getToken({ refresh: false });
    tokens.expire();
    expect(await during).toBe('fresh');
    expect(await tokens.getToken({ refresh: false })).toBe('fresh');
    expect(await tokens.getToken({ refresh: false })).toBe('cached');
    expect(calls).toEqual([true, true, true, false]);
  });

  it('sends the fresh token through withAuth without a 401 first', async () => {
    const { fetch, calls } = fetchReturning(new Response('a'), new Response('b'));
    const { provider } = cachingProvider();
    const tokens = expirableToken(provider);
    const authed = withAuth(fetch, tokens.getToken);
    await authed('https://x.test/v1/events');
    tokens.expire();
    await authed('https://x.test/v1/events');
    expect(calls.map((c) => authOf(c.init))).toEqual(['Bearer token-1', 'Bearer token-2']);
  });
});

describe('postJson', () => {
  it('reports the UTF-8 bytes it sent and received', async () => {
    const { fetch } = fetchReturning(new Response('{"name":"Zoë 🚢"}'));
    const heard: [number, number][] = [];
    const result = await postJson(
      fetch,
      'https://x.test/v1/pull',
      { name: 'é' },
      { now, onBytes: (sent, received) => heard.push([sent, received]) },
    );
    expect(result).toEqual({ name: 'Zoë 🚢' });
    // {"name":"é"} is 12 characters and 13 bytes; the answer's 20 bytes include a 2-byte ë
    // and a 4-byte emoji.
    expect(heard).toEqual([[13, 20]]);
  });

  it('POSTs a JSON body and returns the parsed JSON answer', async () => {
    const { fetch, calls } = fetchReturning(new Response('{"ok":true}'));
    const result = await postJson(fetch, 'https://x.test/v1/pull', { a: 1 }, { now });
    expect(result).toEqual({ ok: true });
    expect(calls[0]?.init?.method).toBe('POST');
    expect(new TextDecoder().decode(calls[0]?.init?.body as Uint8Array)).toBe('{"a":1}');
    expect(new Headers(calls[0]?.init?.headers).get('content-type')).toBe('application/json');
  });

  it('refuses a 2xx that is not JSON with a FerryProtocolError naming the content type', async () => {
    const { fetch } = fetchReturning(
      new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }),
    );
    const error = await postJson(fetch, 'https://x.test/v1/pull', {}, { now }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FerryProtocolError);
    expect((error as Error).message).toContain('text/html');
  });

  it('turns a non-2xx into FerryHttpError even over a plain fetch', async () => {
    const { fetch } = fetchReturning(
      new Response(errorBody('payload_too_large', 'too big'), { status: 413 }),
    );
    await expect(postJson(fetch, 'https://x.test/v1/push', {}, { now })).rejects.toMatchObject({
      name: 'FerryHttpError',
      code: 'payload_too_large',
    });
  });

  it('turns a body cut off mid-way into FerryNetworkError', async () => {
    const body = new ReadableStream({
      pull(controller) {
        controller.error(new TypeError('terminated'));
      },
    });
    const { fetch } = fetchReturning(new Response(body));
    await expect(postJson(fetch, 'https://x.test/v1/pull', {}, { now })).rejects.toThrow(
      FerryNetworkError,
    );
  });
});
