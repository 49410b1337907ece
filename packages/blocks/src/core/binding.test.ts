import { describe, expect, it } from 'vitest';
import { bindingKey, defineBinding, readBinding } from './binding.js';

const TABLES = defineBinding('KVStore', 'BLOCKS_KV_TABLES', 'DynamoDB table name');
const notes = { scope: { name: 's' }, id: 'notes' };

describe('bindings between a cdk variant and its aws-runtime variant', () => {
  it('reads the value bound to a Block by its scope and id', () => {
    expect(bindingKey(notes)).toBe('s/notes');
    expect(readBinding(TABLES, notes, { BLOCKS_KV_TABLES: '{"s/notes":"t-1","s/other":"t-2"}' })).toBe('t-1');
  });

  it('says which variable is missing or wrong, naming the Block', () => {
    expect(() => readBinding(TABLES, notes, {})).toThrow(/KVStore "s\/notes" has no DynamoDB table name: BLOCKS_KV_TABLES is not set/);
    expect(() => readBinding(TABLES, notes, { BLOCKS_KV_TABLES: '' })).toThrow(/is not set/);
    expect(() => readBinding(TABLES, notes, { BLOCKS_KV_TABLES: '{oops' })).toThrow(/not valid JSON/);
    expect(() => readBinding(TABLES, notes, { BLOCKS_KV_TABLES: '["s/notes"]' })).toThrow(/not a JSON object/);
    expect(() => readBinding(TABLES, notes, { BLOCKS_KV_TABLES: '{"s/notes":""}' })).toThrow(/no entry/);
    expect(() => readBinding(TABLES, notes, { BLOCKS_KV_TABLES: '{"s/notes":7}' })).toThrow(/no entry/);
  });

  it('never takes a value from the prototype chain', () => {
    const toString = { scope: { name: 's' }, id: 'toString' };
    expect(() => readBinding(TABLES, toString, { BLOCKS_KV_TABLES: '{}' })).toThrow(/no entry/);
    expect(() => readBinding(TABLES, { scope: { name: 's' }, id: '__proto__' }, { BLOCKS_KV_TABLES: '{}' })).toThrow(/no entry/);
  });
});
