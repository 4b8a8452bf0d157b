/**
 * Errors crossing the channel between the sync leader and the app's pages keep what a page
 * shows a person: the code and the phrase, beside the message; and Ferry's errors stay
 * instances of their class, with their fields, as a local client would throw them.
 */
import {
  FerryConditionsError,
  FerryHttpError,
  FerryNetworkError,
  FerryTokenError,
} from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { errorData, reviveError } from '../src/channel.ts';
import { FerryStorageFullError } from '../src/errors.ts';

const across = (error: unknown) => reviveError(structuredClone(errorData(error)));

describe('errors across the channel', () => {
  it('a sync refused offline is a FerryConditionsError on the page too, with its phrase', () => {
    const revived = across(new FerryConditionsError('network'));
    expect(revived).toBeInstanceOf(FerryConditionsError);
    expect(revived).toMatchObject({
      code: 'offline',
      waitingFor: 'network',
      userMessage: "You're offline — changes are kept and will be sent when you're back online",
    });
  });

  it('an unreachable server keeps its code, message and phrase', () => {
    const error = new FerryNetworkError({
      method: 'POST',
      url: 'http://127.0.0.1:8787/v1/push',
      aborted: false,
      cause: new TypeError('Failed to fetch'),
    });
    const revived = across(error);
    expect(revived).toBeInstanceOf(FerryNetworkError);
    expect(revived).toMatchObject({
      name: 'FerryNetworkError',
      code: 'unreachable',
      message: error.message,
      userMessage: "Can't reach the server — changes are kept and will be sent",
      url: 'http://127.0.0.1:8787/v1/push',
      aborted: false,
    });
    expect((revived.cause as Error).message).toBe('Failed to fetch');
  });

  it('an HTTP error keeps its class, status, retry delay and computed phrase', () => {
    const error = new FerryHttpError({
      code: 'rate_limited',
      status: 429,
      serverMessage: 'slow down',
      method: 'POST',
      url: 'http://127.0.0.1:8787/v1/pull',
      retryAfterSeconds: 3,
    });
    const revived = across(error) as FerryHttpError;
    expect(revived).toBeInstanceOf(FerryHttpError);
    expect(revived).toMatchObject({
      name: 'FerryHttpError',
      message: error.message,
      code: 'rate_limited',
      status: 429,
      serverMessage: 'slow down',
      retryAfterSeconds: 3,
      userMessage: error.userMessage,
    });
    expect(revived.retryable).toBe(true);
    expect(String(revived)).toBe(String(error));
  });

  it("a token provider's failure keeps its cause", () => {
    const revived = across(new FerryTokenError(new Error('identity server down')));
    expect(revived).toBeInstanceOf(FerryTokenError);
    expect(revived.message).toContain('identity server down');
    expect((revived.cause as Error).message).toBe('identity server down');
  });

  it('an error of no Ferry class keeps its name, message and code', () => {
    const error = Object.assign(new RangeError('too far'), { code: 'ERR_X' });
    const revived = across(error);
    expect(revived).toBeInstanceOf(Error);
    expect(revived).toMatchObject({ name: 'RangeError', message: 'too far', code: 'ERR_X' });
    expect(across('a string')).toMatchObject({ name: 'Error', message: 'a string' });
  });

  it("the browser's own errors carry a code and a phrase", () => {
    const revived = across(new FerryStorageFullError('ferry-demo-alice'));
    expect(revived).toBeInstanceOf(FerryStorageFullError);
    expect(revived).toMatchObject({
      code: 'storage_full',
      userMessage: 'This device is out of storage space — free some to keep saving',
    });
  });
});
