import { describe, expect, it } from 'vitest';
import { jsonListBytes } from '../src/storage/json-bytes.ts';

describe('jsonListBytes', () => {
  it('writes head, comma-separated items and tail as the UTF-8 of the joined text', () => {
    const items = ['{"a":"é"}', '{"b":"日本語"}', '{"c":"🚢"}', '{"d":"plain"}'];
    const bytes = jsonListBytes('{"changes":[', items, '],"hasMore":false}');
    const text = `{"changes":[${items.join(',')}],"hasMore":false}`;
    expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(JSON.parse(bytes.toString('utf8')).changes[2].c).toBe('🚢');
  });

  it('writes an empty list and a single item without a stray comma', () => {
    expect(jsonListBytes('[', [], ']').toString()).toBe('[]');
    expect(jsonListBytes('[', ['1'], ']').toString()).toBe('[1]');
  });
});
