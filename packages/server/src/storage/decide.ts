/**
 * Deciding one mutation against the record's current state: space grant, `ifVersion`,
 * limits, numbers JSON cannot carry exactly, the collection's schema and the app's
 * `beforeWrite` rule, in that order. Pure apart from the rule, which may read the
 * transaction.
 */
import {
  applyPatch,
  describeUnwritableValue,
  inspectWrittenValue,
  type JsonObject,
  type Mutation,
  type RejectionCode,
} from '@ferry/protocol';
import type { Queryable } from '../db/driver.ts';
import { FerryConfigError } from '../errors.ts';
import type { CollectionSchemas, Rules, WriteOrigin } from '../rules.ts';
import { validateValue } from '../validation.ts';
import { parsedValue, type RecordState } from './records.ts';

export interface ValueLimits {
  maxValueBytes: number;
  maxValueDepth: number;
}

/** Everything the server was configured with that decides whether a write is allowed. */
export interface WritePolicy {
  limits: ValueLimits;
  collections?: CollectionSchemas | undefined;
  beforeWrite?: Rules['beforeWrite'];
}

export interface Writer {
  origin: WriteOrigin;
  userId: string | null;
  clientId: string | null;
  /** Spaces the writer may write; 'all' for the app's own server writes. */
  spaces: ReadonlySet<string> | 'all';
}

export type Decision =
  | { kind: 'reject'; code: RejectionCode; message: string }
  | { kind: 'apply'; text: string | null; parsed: JsonObject | null };

const reject = (code: RejectionCode, message: string): Decision => ({
  kind: 'reject',
  code,
  message,
});

export async function decide(
  m: Mutation,
  state: RecordState | undefined,
  writer: Writer,
  policy: WritePolicy,
  db: Queryable,
): Promise<Decision> {
  if (writer.spaces !== 'all' && !writer.spaces.has(m.space)) {
    return reject('forbidden', `space "${m.space}" is not granted to this user`);
  }
  const exists = state !== undefined && state.text !== null;
  if (m.ifVersion !== undefined) {
    const matches = m.ifVersion === 0 ? !exists : exists && state.version === m.ifVersion;
    if (!matches) {
      const actual = exists ? `version ${state.version}` : 'no record';
      return reject('conflict', `ifVersion ${m.ifVersion} does not match: found ${actual}`);
    }
  }

  let next: JsonObject | null = null;
  if (m.op !== 'delete') {
    // One walk for the depth and the numbers: only what the mutation sends, so a patch
    // still applies to a record stored with a big integer before they were refused.
    const found = inspectWrittenValue(m.value, policy.limits.maxValueDepth);
    if (found === 'too_deep') {
      return reject(
        'too_large',
        `value is nested deeper than ${policy.limits.maxValueDepth} levels`,
      );
    }
    if (found === 'unwritable') {
      const problem = describeUnwritableValue(m.value) ?? 'value holds a number JSON cannot carry';
      return reject('invalid', problem);
    }
    const candidate = m.op === 'put' ? m.value : applyPatch(parsedValue(state), m.value);
    const valid = await validateValue(policy.collections, m.collection, candidate);
    if (!valid.ok) return reject('invalid', valid.message);
    next = valid.value;
  }

  if (policy.beforeWrite) {
    const current = exists ? { value: parsedValue(state)!, version: state.version } : null;
    const decision = await policy.beforeWrite(
      { origin: writer.origin, userId: writer.userId, clientId: writer.clientId, db, current },
      { space: m.space, collection: m.collection, key: m.key, op: m.op, value: next },
    );
    if (decision && 'reject' in decision)
      return reject(decision.code ?? 'invalid', decision.reject);
    if (decision && 'value' in decision) {
      if (m.op === 'delete')
        throw new FerryConfigError(
          'rules.beforeWrite',
          `rules.beforeWrite returned a value for a delete of ${m.collection}/${m.key}; a delete has no value to replace. Return { reject } to refuse the delete, or nothing to let it through.`,
          { code: 'invalid_hook_result' },
        );
      // A transformed value must still satisfy the collection's schema.
      const valid = await validateValue(policy.collections, m.collection, decision.value);
      if (!valid.ok)
        throw new FerryConfigError(
          'rules.beforeWrite',
          `rules.beforeWrite returned a value for ${m.collection}/${m.key} that the collection's schema refuses (${valid.message}). Return a value that passes the schema, or { reject } to refuse the write.`,
          { code: 'invalid_hook_result' },
        );
      next = valid.value;
    }
  }

  if (next === null) return { kind: 'apply', text: null, parsed: null };
  const text = JSON.stringify(next);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > policy.limits.maxValueBytes) {
    return reject(
      'too_large',
      `value is ${bytes} bytes; the limit is ${policy.limits.maxValueBytes}`,
    );
  }
  return { kind: 'apply', text, parsed: next };
}
