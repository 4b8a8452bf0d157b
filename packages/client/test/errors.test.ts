import { describe, expect, it } from 'vitest';
import {
  FerryClosedError,
  FerryHttpError,
  FerryNetworkError,
  parseErrorBody,
} from '../src/errors.ts';

describe('parseErrorBody', () => {
  it('reads the code and message of a protocol error body', () => {
    const body = JSON.stringify({ error: { code: 'forbidden', message: 'space x not granted' } });
    expect(parseErrorBody(body, 'Forbidden')).toEqual({
      code: 'forbidden',
      message: 'space x not granted',
    });
  });

  it('keeps the message but no code when the code is not a protocol code', () => {
    const body = JSON.stringify({ error: { code: 'teapot', message: 'short and stout' } });
    expect(parseErrorBody(body, "I'm a teapot")).toEqual({
      code: undefined,
      message: 'short and stout',
    });
  });

  it('turns an HTML page into a short one-line excerpt after the status text', () => {
    const html = `<html>\n  <body>Bad   Gateway ${'x'.repeat(500)}</body></html>`;
    const parsed = parseErrorBody(html, 'Bad Gateway');
    expect(parsed.code).toBeUndefined();
    expect(parsed.message).toMatch(/^Bad Gateway: <html> <body>Bad Gateway x+/);
    expect(parsed.message.length).toBeLessThan(260);
  });

  it('says something useful for an empty body', () => {
    expect(parseErrorBody('', 'Service Unavailable').message).toBe('Service Unavailable');
    expect(parseErrorBody('', '').message).toBe('no error body');
  });

  it('does not take arbitrary JSON for an error body', () => {
    expect(parseErrorBody('{"ok": true}', 'Bad Request')).toEqual({
      code: undefined,
      message: 'Bad Request: {"ok": true}',
    });
  });
});

describe('FerryHttpError', () => {
  const base = { method: 'POST', url: 'https://x.test/v1/pull' };

  it('carries code, status and retry delay, and says how to fix the problem', () => {
    const error = new FerryHttpError({
      ...base,
      code: 'unauthorized',
      status: 401,
      serverMessage: 'token expired',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FerryHttpError');
    expect(error.code).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toContain('POST https://x.test/v1/pull failed with 401 unauthorized');
    expect(error.message).toContain('token expired');
    expect(error.message).toContain('getToken');
    expect(error.retryable).toBe(false);
  });

  it('picks the hint from the status when the body had no code', () => {
    const error = new FerryHttpError({
      ...base,
      code: undefined,
      status: 404,
      serverMessage: 'Not Found',
    });
    expect(error.message).toContain('HTTP 404');
    expect(error.message).toContain('path prefix');
  });

  it('mentions the retry delay and counts 429 and 5xx as retryable', () => {
    const error = new FerryHttpError({
      ...base,
      code: 'rate_limited',
      status: 429,
      serverMessage: 'slow down',
      retryAfterSeconds: 30,
    });
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.message).toContain('Retry after 30 s');
    expect(error.retryable).toBe(true);
    expect(
      new FerryHttpError({ ...base, code: undefined, status: 502, serverMessage: '' }).retryable,
    ).toBe(true);
  });
});

describe('other errors', () => {
  it('FerryNetworkError keeps its cause and says whether it was aborted', () => {
    const cause = new TypeError('fetch failed');
    const error = new FerryNetworkError({ ...{ method: 'GET', url: 'u' }, aborted: false, cause });
    expect(error.cause).toBe(cause);
    expect(error.aborted).toBe(false);
    expect(error.message).toContain('Check the url option');
  });

  it('FerryClosedError tells how to continue', () => {
    expect(new FerryClosedError('client').message).toContain('createClient()');
    expect(new FerryClosedError('store').name).toBe('FerryClosedError');
  });
});
