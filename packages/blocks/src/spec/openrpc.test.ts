import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, type JsonValue } from './json.js';
import type { MethodObject, OpenRpcDocument } from './openrpc-types.js';
import { buildSpec, serializeSpec } from './openrpc.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE_APP = path.join(here, '__fixtures__', 'app.ts');
const REAL_SPEC = path.resolve(here, '../../../../aws-blocks/blocks.spec.json');

let fixture: { document: OpenRpcDocument; text: string; warnings: readonly string[] };
let validateOpenRpc: ValidateFunction;

/**
 * The published OpenRPC meta-schema. Its schema objects `$ref` the
 * json-schema.tools meta-schema by URL, so that one is registered under both
 * spellings of the URL it is referenced by. Formats are not checked: a server
 * URL is a runtime expression (`${custom.blocks_api_url}`), which OpenRPC allows
 * but a strict `uri` check would reject.
 */
function openRpcValidator(): ValidateFunction {
  const require = createRequire(import.meta.url);
  const { openrpcDocument } = require('@open-rpc/meta-schema') as { openrpcDocument: Record<string, unknown> };
  const { jsonSchema } = require('@json-schema-tools/meta-schema') as { jsonSchema: Record<string, unknown> };
  const { $id: _id, $schema: _schema, ...jsonSchemaBody } = jsonSchema;
  const ajv = new Ajv({ strict: false, validateFormats: false, validateSchema: false, allErrors: true });
  ajv.addSchema(jsonSchemaBody, 'https://meta.json-schema.tools');
  ajv.addSchema(jsonSchemaBody, 'https://meta.json-schema.tools/');
  return ajv.compile(openrpcDocument);
}

function method(name: string): MethodObject {
  const found = fixture.document.methods.find((m) => m.name === name);
  if (!found) throw new Error(`no method ${name}`);
  return found;
}

const customCodes = (name: string): number[] => method(name).errors.map((e) => e.code).filter((code) => code > -32600);

beforeAll(async () => {
  validateOpenRpc = openRpcValidator();
  const built = await buildSpec({ appFile: FIXTURE_APP, info: { title: 'spec-fixture', version: '1.0.0' } });
  fixture = { ...built, text: serializeSpec(built.document) };
});

describe('blocks.spec.json from the fixture app', () => {
  it('matches the committed golden file', async () => {
    await expect(fixture.text).toMatchFileSnapshot('./__golden__/fixture.spec.json');
  });

  it('is valid OpenRPC, as is the committed spec of aws-blocks/', async () => {
    expect(validateOpenRpc(JSON.parse(fixture.text)), JSON.stringify(validateOpenRpc.errors)).toBe(true);
    const real: unknown = JSON.parse(await readFile(REAL_SPEC, 'utf8'));
    expect(validateOpenRpc(real), JSON.stringify(validateOpenRpc.errors)).toBe(true);
  });

  it('is rejected by the meta-schema when broken (the validator is live)', () => {
    const broken = JSON.parse(fixture.text) as { methods: { errors: Record<string, unknown>[] }[] };
    (broken.methods[0]?.errors[0] as Record<string, unknown>)['x-http-status'] = 400;
    expect(validateOpenRpc(broken)).toBe(false);
  });

  it('is canonical: sorted keys, a trailing newline, stable under re-serialisation', () => {
    expect(canonicalJson(JSON.parse(fixture.text) as JsonValue)).toBe(fixture.text);
    expect(fixture.document.methods.map((m) => m.name)).toEqual(
      [...fixture.document.methods.map((m) => m.name)].sort(),
    );
    expect(fixture.text).not.toMatch(/20\d\d-\d\d-\d\dT/); // no timestamps
  });

  it('lists only exported ApiNamespace methods, as exportName.method', () => {
    expect(fixture.document.methods.map((m) => m.name)).toEqual([
      'misc.echo',
      'misc.keywords',
      'misc.level',
      'misc.maybe',
      'misc.pair',
      'misc.teapot',
      'todo.add',
      'todo.get',
      'todo.purge',
      'todo.rename',
      'todo.schedule',
      'todo.search',
    ]);
  });

  it('describes validated input from the validator: constraints and defaults survive', () => {
    const add = method('todo.add');
    expect(add.paramStructure).toBe('by-name');
    expect(add.params.map((p) => [p.name, p.required])).toEqual([
      ['title', true],
      ['priority', false],
      ['tags', false],
    ]);
    expect(add.params[0]?.schema).toEqual({ type: 'string', minLength: 1, maxLength: 200 });
    expect(add.params[1]?.schema).toMatchObject({ enum: ['low', 'high'], default: 'low' });
    // A non-object validator is one positional argument.
    expect(method('todo.rename')).toMatchObject({ paramStructure: 'by-position', params: [{ name: 'input', required: true }] });
  });

  it('falls back to the TypeScript type, with a warning, when a validator has no JSON Schema', () => {
    expect(fixture.warnings).toEqual([expect.stringMatching(/^todo\.schedule: params described from the TypeScript type/)]);
    expect(method('todo.schedule').params.map((p) => [p.name, p.schema])).toEqual([
      ['id', { type: 'string' }],
      ['at', { type: 'string' }],
    ]);
  });

  it('describes plain TypeScript params and results as they travel in JSON', () => {
    expect(method('todo.search')).toMatchObject({
      paramStructure: 'by-position',
      params: [
        { name: 'query', required: true, schema: { type: 'string' } },
        { name: 'limit', required: false, schema: { type: 'number' } },
      ],
    });
    expect(method('misc.keywords').paramStructure).toBe('by-name');
    expect(method('todo.get').result.schema).toEqual({ anyOf: [{ $ref: '#/components/schemas/Task' }, { type: 'null' }] });
    expect(method('todo.purge').result.schema).toEqual({ type: 'null' });
    expect(method('misc.maybe').result.schema).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(method('misc.level').result.schema).toEqual({ type: 'integer', enum: [1, 2, 3] });
    expect(method('misc.echo').result.schema).toEqual({});
    expect(method('misc.pair').result.schema).toMatchObject({ type: 'array', minItems: 2, maxItems: 2 });
    const task = fixture.document.components.schemas.Task;
    expect(task).toMatchObject({
      description: 'A unit of work; tasks nest.',
      properties: {
        due: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
        meta: { type: 'object', additionalProperties: { type: 'number' } },
        parent: { $ref: '#/components/schemas/Task' },
        priority: { type: 'string', enum: ['high', 'low'] },
        title: { type: 'string', description: 'Shown in lists.' },
      },
    });
    expect(task?.required).not.toContain('estimate');
    expect(task?.required).not.toContain('parent');
  });

  it('derives auth from requireAuth / requireGroup, following helper functions', () => {
    expect(method('todo.add')['x-auth']).toBe('cognito'); // through currentUser()
    expect(method('todo.get')['x-auth']).toBe('cognito');
    expect(method('todo.purge')['x-auth']).toBe('cognito:group:admins'); // group from a const
    expect(method('misc.echo')['x-auth']).toBe('none');
  });

  it('lists the protocol errors everywhere and the ones a method raises', () => {
    for (const m of fixture.document.methods) {
      expect(m.errors.map((e) => e.code)).toEqual(expect.arrayContaining([-32700, -32600, -32601, -32602, -32603]));
    }
    expect(customCodes('todo.add')).toEqual([-32009, -32001]); // KV ifNotExists → 409; auth → 401
    expect(customCodes('todo.get')).toEqual([-32004, -32001]);
    expect(customCodes('todo.purge')).toEqual([-32003, -32001]);
    expect(customCodes('misc.teapot')).toEqual([-32018]);
    expect(customCodes('misc.echo')).toEqual([]);
    expect(method('todo.get').errors.find((e) => e.code === -32004)?.data).toEqual({ status: 404, name: 'NotFoundError' });
  });

  it('puts the transport in servers: the amplify_outputs URL as a server variable', () => {
    expect(fixture.document.servers[0]).toMatchObject({
      url: '${custom.blocks_api_url}',
      variables: { 'custom.blocks_api_url': { default: 'http://127.0.0.1:3001/aws-blocks/api' } },
      'x-transport': { httpMethod: 'POST', contentType: 'application/json', batch: false },
      'x-auth': { scheme: 'bearer', header: 'Authorization' },
    });
  });
});
