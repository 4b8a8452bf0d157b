/**
 * The `collections` client option: what the app declares per collection, checked once when
 * the client is created. Today that is the indexes the store keeps for local queries.
 */
import type { JsonObject, OutputOf } from '@ferry/protocol';
import type { IndexDeclarations } from './collection.ts';
import { FerryConfigError } from './errors.ts';
import type { IndexDefinition } from './index-key.ts';

export interface CollectionOptions<T extends JsonObject = JsonObject> {
  /**
   * Indexes for `find`, `count` and live queries: index name → the field paths it orders
   * by, e.g. `{ byList: ['list', 'createdAt'] }`. Changing them rebuilds the store's
   * indexes when the client opens; records and outbox are kept.
   */
  indexes?: IndexDeclarations<T>;
}

/** The `collections` option, typed from the client's schema. */
export type CollectionsOptions<
  Schema extends Record<string, JsonObject> = Record<string, JsonObject>,
> = {
  readonly [Name in keyof Schema & string]?: CollectionOptions<
    Extract<OutputOf<Schema[Name]>, JsonObject>
  >;
};

/** The declared indexes, checked, as the store takes them. */
export function indexDefinitionsOf(collections: unknown): IndexDefinition[] {
  if (collections === undefined) return [];
  const fail = (message: string): never => {
    throw new FerryConfigError(`The collections option: ${message}`);
  };
  if (typeof collections !== 'object' || collections === null) fail('must be an object.');
  const definitions: IndexDefinition[] = [];
  for (const [collection, options] of Object.entries(collections as object)) {
    const indexes: unknown = (options as CollectionOptions | undefined)?.indexes;
    if (indexes === undefined) continue;
    if (typeof indexes !== 'object' || indexes === null)
      fail(`${collection}.indexes must be an object.`);
    for (const [name, fields] of Object.entries(indexes as object)) {
      const valid =
        Array.isArray(fields) &&
        fields.length > 0 &&
        fields.every(
          (field) => typeof field === 'string' && field.split('.').every((step) => step !== ''),
        );
      if (!valid || name === '') {
        fail(
          `${collection}.indexes.${name} must be a non-empty list of field paths such as ['list', 'meta.createdAt'].`,
        );
      }
      definitions.push({ collection, name, fields: [...(fields as string[])] });
    }
  }
  return definitions;
}
