/** Validating a record value against its collection's Standard Schema, with messages that name the field. */
import type { JsonObject, StandardSchemaV1 } from '@ferry/protocol';
import type { CollectionSchemas } from './rules.ts';

function formatPath(path: StandardSchemaV1.Issue['path']): string {
  if (!path || path.length === 0) return 'value';
  return path.reduce<string>((text, segment) => {
    const key = typeof segment === 'object' ? segment.key : segment;
    return typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`;
  }, 'value');
}

export type ValidationOutcome = { ok: true; value: JsonObject } | { ok: false; message: string };

/**
 * Validates `value` for `collection`. Without schemas every collection is open; with them,
 * a collection that has none is refused. A schema may normalise the value (defaults,
 * trimming): the validated output is what gets stored.
 */
export async function validateValue(
  schemas: CollectionSchemas | undefined,
  collection: string,
  value: JsonObject,
): Promise<ValidationOutcome> {
  if (!schemas) return { ok: true, value };
  const schema = Object.hasOwn(schemas, collection) ? schemas[collection] : undefined;
  if (!schema)
    return { ok: false, message: `collection "${collection}" is not declared on the server` };
  const result = await schema['~standard'].validate(value);
  if (result.issues) {
    const details = result.issues
      .slice(0, 5)
      .map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    return { ok: false, message: details.join('; ') };
  }
  const output = result.value;
  if (typeof output !== 'object' || output === null || Array.isArray(output)) {
    return {
      ok: false,
      message: `the schema of "${collection}" produced a value that is not an object`,
    };
  }
  return { ok: true, value: output as JsonObject };
}
