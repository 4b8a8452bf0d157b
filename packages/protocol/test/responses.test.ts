/**
 * The response checks name the wrong part of a body by its path and say what is wrong, and
 * take what v1 allows to grow: rejection codes this version does not know.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidResponseError,
  parsePokeChanges,
  parsePullResponse,
  parsePushResponse,
} from '../src/responses.ts';

function refusal(parse: () => unknown): InvalidResponseError {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidResponseError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('response checks', () => {
  it('name the wrong field of a push response by its path', () => {
    const error = refusal(() =>
      parsePushResponse({
        results: [{ id: 1, status: 'applied', version: 1 }, { id: 0 }],
        lastMutationId: 1,
      }),
    );
    expect(error.path).toBe('results[1].id');
    expect(error.problem).toBe('is not a positive integer');
    expect(error.message).toBe('results[1].id is not a positive integer');
  });

  it('keep a rejection code they do not know, and use the code when there is no message', () => {
    const response = parsePushResponse({
      results: [{ id: 3, status: 'rejected', error: { code: 'quota_exceeded' } }],
      lastMutationId: 3,
    });
    expect(response.results).toEqual([
      { id: 3, status: 'rejected', error: { code: 'quota_exceeded', message: 'quota_exceeded' } },
    ]);
  });

  it('leave out reset and cursorVersion when the server did not send them', () => {
    const page = parsePullResponse({ changes: [], cursor: 'c', hasMore: false, lastMutationId: 0 });
    expect(page).toEqual({ changes: [], cursor: 'c', hasMore: false, lastMutationId: 0 });
    expect('reset' in page).toBe(false);
    expect(refusal(() => parsePullResponse({ ...page, changes: [{ space: 's' }] })).path).toBe(
      'changes[0].collection',
    );
  });

  it('keep the remaining estimate of a page with more to come, and refuse one that is not a count', () => {
    const page = { changes: [], cursor: 'c', hasMore: true, lastMutationId: 0 };
    expect(parsePullResponse({ ...page, remaining: 250 }).remaining).toBe(250);
    expect('remaining' in parsePullResponse(page)).toBe(false);
    const error = refusal(() => parsePullResponse({ ...page, remaining: -1 }));
    expect(error.message).toBe('remaining is not a non-negative integer');
  });

  it('keep the pull page a push response carries, and name its wrong fields under pull', () => {
    const pull = { changes: [], cursor: 'c', cursorVersion: 7, hasMore: false, lastMutationId: 1 };
    const pushed = { results: [{ id: 1, status: 'applied', version: 7 }], lastMutationId: 1 };
    expect(parsePushResponse({ ...pushed, pull }).pull).toEqual(pull);
    expect('pull' in parsePushResponse(pushed)).toBe(false);
    expect(
      refusal(() => parsePushResponse({ ...pushed, pull: { ...pull, cursor: 3 } })).message,
    ).toBe('pull.cursor is not a string');
    expect(refusal(() => parsePushResponse({ ...pushed, pull: [] })).message).toBe(
      'pull is not an object',
    );
  });

  it('tell a plain poke from one with changes, and refuse data that is not JSON', () => {
    expect(parsePokeChanges('{"version":4}')).toBeUndefined();
    expect(refusal(() => parsePokeChanges('{"version":4')).message).toBe(
      'the poke data is not JSON',
    );
    expect(
      refusal(() => parsePokeChanges('{"version":4,"from":4,"cursor":"c","changes":[]}')).path,
    ).toBe('from');
  });
});
