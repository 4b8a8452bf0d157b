import type { MutationId, SpaceId } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import { applyMutation, overlayCollection, overlayRecord } from '../src/overlay.ts';
import type { OutboxEntry, StoredRecord } from '../src/store.ts';

const at = { space: 's' as SpaceId, collection: 'todos' };
const put = (id: number, key: string, value: Record<string, string | number | boolean>) =>
  ({ ...at, id: id as MutationId, key, op: 'put', value }) as OutboxEntry;
const patch = (id: number, key: string, value: Record<string, string | number | boolean | null>) =>
  ({ ...at, id: id as MutationId, key, op: 'patch', value }) as OutboxEntry;
const del = (id: number, key: string) =>
  ({ ...at, id: id as MutationId, key, op: 'delete' }) as OutboxEntry;
const base = (key: string, value: StoredRecord['value'], version: number): StoredRecord => ({
  ...at,
  key,
  value,
  version,
});

describe('applyMutation', () => {
  it('put replaces, patch merges and removes null fields, delete removes', () => {
    expect(applyMutation({ a: 1, b: 2 }, put(1, 'k', { c: 3 }))).toEqual({ c: 3 });
    expect(applyMutation({ a: 1, b: 2 }, patch(1, 'k', { b: null, c: 3 }))).toEqual({
      a: 1,
      c: 3,
    });
    expect(applyMutation({ a: 1 }, del(1, 'k'))).toBeUndefined();
  });

  it('patch of a missing record creates it without the null fields', () => {
    expect(applyMutation(undefined, patch(1, 'k', { a: 1, b: null }))).toEqual({ a: 1 });
  });
});

describe('overlayRecord', () => {
  it('is the base with its version when nothing is pending', () => {
    expect(overlayRecord('k', base('k', { a: 1 }, 7), [])).toEqual({
      key: 'k',
      value: { a: 1 },
      version: 7,
      pending: false,
    });
  });

  it('applies pending mutations in order over the base and marks the row pending', () => {
    const row = overlayRecord('k', base('k', { a: 1, b: 1 }, 7), [
      patch(1, 'k', { a: 2 }),
      patch(2, 'k', { b: null }),
    ]);
    expect(row).toEqual({ key: 'k', value: { a: 2 }, version: 7, pending: true });
  });

  it('shows a record created locally with a null version, and hides a pending delete', () => {
    expect(overlayRecord('k', undefined, [put(1, 'k', { a: 1 })])).toMatchObject({
      version: null,
      pending: true,
    });
    expect(overlayRecord('k', base('k', { a: 1 }, 3), [del(1, 'k')])).toBeUndefined();
  });

  it('rebases pending patches over a base that changed on the server', () => {
    const pending = [patch(1, 'k', { done: true })];
    const before = overlayRecord('k', base('k', { title: 'milk', done: false }, 1), pending);
    const after = overlayRecord('k', base('k', { title: 'oat milk', done: false }, 2), pending);
    expect(before?.value).toEqual({ title: 'milk', done: true });
    expect(after?.value).toEqual({ title: 'oat milk', done: true });
    expect(after?.version).toBe(2);
  });

  it('rolls a rejected mutation back once it leaves the outbox', () => {
    const record = base('k', { title: 'milk' }, 4);
    const rejected = put(1, 'k', { title: 'forbidden' });
    const kept = patch(2, 'k', { done: true });
    expect(overlayRecord('k', record, [rejected, kept])?.value).toEqual({
      title: 'forbidden',
      done: true,
    });
    expect(overlayRecord('k', record, [kept])?.value).toEqual({ title: 'milk', done: true });
    expect(overlayRecord('k', record, [])).toMatchObject({
      value: { title: 'milk' },
      pending: false,
    });
  });

  it('returns a copy that does not share objects with the outbox', () => {
    const entry = put(1, 'k', { a: 1 });
    const row = overlayRecord('k', undefined, [entry]);
    (row!.value as { a: number }).a = 99;
    expect(entry.op === 'put' && entry.value.a).toBe(1);
  });
});

describe('overlayCollection', () => {
  it('merges base and pending keys, drops deleted rows and sorts by key', () => {
    const rows = overlayCollection(
      [base('b', { n: 1 }, 1), base('d', { n: 2 }, 2), base('a', { n: 3 }, 3)],
      new Map([
        ['c', [put(1, 'c', { n: 4 })]],
        ['d', [del(2, 'd')]],
        ['a', [patch(3, 'a', { m: 1 })]],
      ]),
    );
    expect(rows).toEqual([
      { key: 'a', value: { n: 3, m: 1 }, version: 3, pending: true },
      { key: 'b', value: { n: 1 }, version: 1, pending: false },
      { key: 'c', value: { n: 4 }, version: null, pending: true },
    ]);
  });
});
