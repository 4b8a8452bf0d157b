/** The checks every `Store.commit` applies to a batch before changing anything. */
import { describeNonJsonObject } from '@ferry/protocol';
import { FerryValidationError } from './errors.ts';
import type { RecordAddress, StoreBatch } from './store.ts';

function invalidBatch(path: string, problem: string): never {
  throw new FerryValidationError(`Store commit refused, nothing changed: ${path} ${problem}.`);
}

function requireString(value: unknown, path: string): void {
  if (typeof value !== 'string') invalidBatch(path, 'must be a string');
}

function requireObjectValue(value: unknown, path: string): void {
  const problem = describeNonJsonObject(value);
  if (problem !== undefined) invalidBatch(path, `is not a JSON object (${problem})`);
}

function requireInteger(value: unknown, path: string, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalidBatch(path, `must be an integer of at least ${min}`);
  }
}

function requireAddress(value: RecordAddress, path: string): void {
  if (typeof value !== 'object' || value === null) invalidBatch(path, 'must be an object');
  requireString(value.space, `${path}.space`);
  requireString(value.collection, `${path}.collection`);
  requireString(value.key, `${path}.key`);
}

/**
 * Throws `FerryValidationError` on anything a store could not apply cleanly, before a
 * single change is made: every store runs it first, so all of them refuse the same
 * batches with the same messages. `isTaken(id)` says whether the store already holds an
 * outbox entry with that id (before this batch's removals).
 */
export function checkStoreBatch(batch: StoreBatch, isTaken: (id: number) => boolean): void {
  if (typeof batch !== 'object' || batch === null) invalidBatch('batch', 'must be an object');
  for (const [i, space] of (batch.clearSpaces ?? []).entries()) {
    requireString(space, `clearSpaces[${i}]`);
  }
  for (const [i, address] of (batch.deleteRecords ?? []).entries()) {
    requireAddress(address, `deleteRecords[${i}]`);
  }
  for (const [i, record] of (batch.putRecords ?? []).entries()) {
    requireAddress(record, `putRecords[${i}]`);
    requireObjectValue(record.value, `putRecords[${i}].value`);
    requireInteger(record.version, `putRecords[${i}].version`, 0);
  }
  for (const [i, id] of (batch.removeOutbox ?? []).entries()) {
    if (typeof id !== 'number') invalidBatch(`removeOutbox[${i}]`, 'must be a number');
  }
  const through = batch.removeOutboxThrough;
  if (through !== undefined && typeof through !== 'number') {
    invalidBatch('removeOutboxThrough', 'must be a number');
  }
  const removed = new Set(batch.removeOutbox ?? []);
  const added = new Set<number>();
  for (const [i, entry] of (batch.addOutbox ?? []).entries()) {
    const path = `addOutbox[${i}]`;
    requireAddress(entry, path);
    requireInteger(entry.id, `${path}.id`, 1);
    const stays =
      isTaken(entry.id) && !removed.has(entry.id) && (through === undefined || entry.id > through);
    if (stays || added.has(entry.id)) invalidBatch(`${path}.id`, `${entry.id} is already taken`);
    added.add(entry.id);
    if (entry.op === 'put' || entry.op === 'patch') {
      requireObjectValue(entry.value, `${path}.value`);
    } else if (entry.op !== 'delete') {
      invalidBatch(`${path}.op`, 'must be "put", "patch" or "delete"');
    }
  }
  for (const [key, value] of Object.entries(batch.setMeta ?? {})) {
    if (value === undefined) continue;
    const problem = describeNonJsonObject({ [key]: value });
    if (problem !== undefined) invalidBatch(`setMeta.${key}`, `is not JSON (${problem})`);
  }
}
