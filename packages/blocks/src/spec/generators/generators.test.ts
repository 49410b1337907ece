import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERATED_MARKER } from '../generated-files.js';
import { generateClients } from './index.js';
import { buildClientModel, type TypeRef } from './model.js';
import { stringLiteral } from './naming.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const GOLDEN = path.resolve(here, '../__golden__');
const APP_DIR = path.resolve(here, '../../../../../aws-blocks');

const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8')) as unknown;
const FIXTURE_OPTIONS = { kotlinPackage: 'blocks.fixture' };

describe('clients generated from the fixture spec', () => {
  it('match the committed golden files', async () => {
    const files = generateClients(await readJson(path.join(GOLDEN, 'fixture.spec.json')), FIXTURE_OPTIONS);
    expect(files.map((file) => file.path)).toEqual([
      'dart/blocks_client.dart',
      'kotlin/BlocksClient.kt',
      'swift/BlocksClient.swift',
      'typescript/blocks-client.ts',
    ]);
    for (const file of files) await expect(file.content).toMatchFileSnapshot(path.join(GOLDEN, 'fixture', file.path));
  });

  it('are byte-identical when generated twice, and start with the generated-file header', async () => {
    const spec = await readJson(path.join(GOLDEN, 'fixture.spec.json'));
    const first = generateClients(spec, FIXTURE_OPTIONS);
    const second = generateClients(JSON.parse(JSON.stringify(spec)) as unknown, FIXTURE_OPTIONS);
    expect(second).toEqual(first);
    for (const file of first) expect(file.content.split('\n', 1)[0]).toContain(GENERATED_MARKER);
  });

  it('escape keywords and odd JSON names in every language', async () => {
    const files = generateClients(await readJson(path.join(GOLDEN, 'fixture.spec.json')), FIXTURE_OPTIONS);
    const content = (suffix: string): string => files.find((file) => file.path.endsWith(suffix))?.content ?? '';
    expect(content('.swift')).toContain('public var `class`: String');
    expect(content('.swift')).toContain('case kebabKey = "kebab-key"');
    expect(content('.kt')).toContain('val `class`: String');
    expect(content('.dart')).toContain('final String class_;');
    expect(content('.ts')).toContain("'kebab-key'?: number;");
  });
});

describe('clients generated from the real spec', () => {
  it('match the committed aws-blocks/clients', async () => {
    const files = generateClients(await readJson(path.join(APP_DIR, 'blocks.spec.json')));
    for (const file of files) {
      expect(file.content, `${file.path} differs: run npm run blocks:generate-client`).toBe(
        await readFile(path.join(APP_DIR, 'clients', file.path), 'utf8'),
      );
    }
  });
});

describe('the client model', () => {
  const spec = (schemas: Record<string, unknown>, result: unknown, params: unknown[] = []): unknown => ({
    openrpc: '1.3.2',
    info: { title: 't', version: '1' },
    servers: [{ name: 's', url: '${u}', variables: { u: { default: 'http://localhost/api' } } }],
    methods: [{ name: 'ns.m', paramStructure: 'by-position', params, result: { name: 'result', schema: result } }],
    components: { schemas },
  });

  it('names inline objects after where they sit, and renames clashes with the runtime types', () => {
    const model = buildClientModel(
      spec(
        { Error: { type: 'object', properties: { a: { type: 'string' } } } },
        { type: 'object', properties: { inner: { type: 'object', properties: { x: { type: 'integer' } } } } },
      ),
    );
    expect(model.structs.map((s) => s.name)).toEqual(['Error2', 'NsMResult', 'NsMResultInner']);
    expect(model.defaultUrl).toBe('http://localhost/api');
  });

  it('maps unions: T | null is nullable, anything richer is plain JSON', () => {
    const typeOf = (schema: unknown): TypeRef | undefined =>
      buildClientModel(spec({}, schema)).namespaces[0]?.methods[0]?.result;
    expect(typeOf({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toEqual({ kind: 'nullable', inner: { kind: 'string' } });
    expect(typeOf({ type: ['integer', 'null'] })).toEqual({ kind: 'nullable', inner: { kind: 'integer' } });
    expect(typeOf({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ kind: 'json' });
    expect(typeOf({ type: 'object', additionalProperties: { type: 'boolean' } })).toEqual({
      kind: 'map',
      values: { kind: 'boolean' },
    });
    expect(typeOf({ const: 'x' })).toEqual({ kind: 'string' });
    expect(typeOf({ type: 'null' })).toBeUndefined();
  });

  it('rejects a method that is not exportName.method', () => {
    expect(() => buildClientModel({ methods: [{ name: 'flat' }] })).toThrow(/exportName\.method/);
  });
});

describe('string literals', () => {
  it('escape what each language interpolates', () => {
    expect(stringLiteral('a"$b\\', 'kotlin')).toBe('"a\\"\\$b\\\\"');
    expect(stringLiteral('a"$b', 'swift')).toBe('"a\\"$b"');
    expect(stringLiteral('\u0001', 'swift')).toBe('"\\u{1}"');
    expect(stringLiteral("it's", 'typescript')).toBe("'it\\'s'");
  });
});
