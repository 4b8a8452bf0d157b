/**
 * Errors crossing the channel between the sync leader and the app's pages keep what a page
 * shows a person: the code and the phrase, beside the message.
 */
import { FerryConditionsError, FerryNetworkError } from '@ferry/client';
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
    expect(revived).toMatchObject({
      name: 'FerryNetworkError',
      code: 'unreachable',
      message: error.message,
      userMessage: "Can't reach the server — changes are kept and will be sent",
    });
  });

  it("the browser's own errors carry a code and a phrase", () => {
    expect(across(new FerryStorageFullError('ferry-demo-alice'))).toMatchObject({
      code: 'storage_full',
      userMessage: 'This device is out of storage space — free some to keep saving',
    });
  });
});
