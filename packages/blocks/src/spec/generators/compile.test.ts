/**
 * The generated clients compiled by their own compilers (where the machine
 * has one) and run against a real server. TypeScript always runs; Kotlin
 * needs Debian's `kotlin`, `libkotlinx-coroutines-java`, `libkotlinx-atomicfu-java`
 * and `libandroid-json-java` (.ci/run installs them); Swift runs only where a
 * `swiftc` exists. Dart is not checked here: no Debian package ships it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../rpc/dispatcher.js';
import { serveRpc } from '../../transports/node.js';
import { BlocksApiError, createBlocksClient } from '../__golden__/fixture/typescript/blocks-client.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const GOLDEN = path.resolve(here, '../__golden__/fixture');
const APP_CLIENTS = path.resolve(here, '../../../../../aws-blocks/clients');

const KOTLIN_CLASSPATH = [
  '/usr/share/java/kotlinx-coroutines-core.jar',
  '/usr/share/java/com.android.json.jar',
];
// Debian's coroutines package needs atomicfu at run time but does not depend on it.
const KOTLIN_RUNTIME = ['/usr/share/java/kotlin-stdlib.jar', '/usr/share/java/atomicfu.jar', ...KOTLIN_CLASSPATH];

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => existsSync(path.join(dir, command)));
}

let server: Server;
let apiUrl: string;
let workDir: string;

beforeAll(async () => {
  const dispatcher = createDispatcher(await import('../__fixtures__/app.js'), { logger: { error: () => {} } });
  server = createServer((req, res) => void serveRpc(req, res, dispatcher));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aws-blocks/api`;
  workDir = await mkdtemp(path.join(tmpdir(), 'blocks-clients-'));
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('generated TypeScript client', () => {
  it('type-checks under the strictest settings, alone (no blocks-kit, no DOM beyond fetch)', () => {
    const files = [path.join(GOLDEN, 'typescript/blocks-client.ts'), path.join(APP_CLIENTS, 'typescript/blocks-client.ts')];
    const program = ts.createProgram(files, {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitReturns: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      noEmit: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  it('calls a real server: named and positional params, results, typed errors', async () => {
    let sentAuthorization: string | null = null;
    const client = createBlocksClient({
      url: apiUrl,
      tokenProvider: async () => 'not.a.token',
      fetch: (input, init) => {
        sentAuthorization = new Headers(init?.headers).get('authorization');
        return fetch(input, init);
      },
    });
    expect(await client.misc.echo({ a: [1, 'x', null] })).toEqual({ a: [1, 'x', null] });
    expect(await client.misc.keywords({ class: 'c', default: true, 'kebab-key': 2 })).toEqual({
      class: 'c',
      default: true,
      'kebab-key': 2,
    });
    expect(await client.todo.rename('  Write tests ')).toMatchObject({ title: 'Write tests', due: null, subtasks: [] });
    expect(await client.todo.search('q')).toMatchObject({ total: 1, items: [{ title: 'q' }] });
    expect(await client.misc.maybe(false)).toBeNull();

    const invalid = await client.todo.add({ title: '' }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(BlocksApiError);
    expect(invalid).toMatchObject({ status: 400, code: -32602, errorName: 'InvalidParamsError' });
    expect((invalid as BlocksApiError).details).toMatchObject({ issues: [{ path: 'title' }] });

    await expect(client.todo.add({ title: 'x' })).rejects.toMatchObject({ status: 401, code: -32001 });
    expect(sentAuthorization).toBe('Bearer not.a.token');
    await expect(client.misc.teapot()).rejects.toMatchObject({ status: 418, code: -32018, errorName: 'ApiError' });
  });

  it('reports an answer that is not JSON-RPC (a gateway page) as BlocksApiError code 0', async () => {
    const client = createBlocksClient({
      fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }),
    });
    await expect(client.misc.level()).rejects.toMatchObject({ name: 'BlocksApiError', status: 502, code: 0 });
  });
});

const HARNESS = `
import blocks.fixture.BlocksApiException
import blocks.fixture.BlocksClient
import kotlinx.coroutines.runBlocking
import org.json.JSONObject

fun main(args: Array<String>) {
  runBlocking {
    val client = BlocksClient(url = args[0]) { "not.a.token" }
    val task = client.todo.rename("  Write tests ")
    println("rename " + task.title + " due=" + task.due + " subtasks=" + task.subtasks.size + " parent=" + task.parent)
    val found = client.todo.search("q", 5.0)
    println("search " + found.total + " " + found.items[0].priority + " meta=" + found.items[0].meta)
    val keywords = client.misc.keywords(\`class\` = "c", \`default\` = true, kebabKey = 2.0)
    println("keywords " + keywords.\`class\` + " " + keywords.\`default\` + " " + keywords.kebabKey)
    println("echo " + client.misc.echo(JSONObject().put("a", 1)))
    println("level " + client.misc.level() + " maybe " + client.misc.maybe(false))
    try {
        client.todo.add("")
    } catch (e: BlocksApiException) {
        println("add " + e.status + " " + e.code + " " + e.errorName)
    }
    try {
        client.todo.add("x")
    } catch (e: BlocksApiException) {
        println("auth " + e.status + " " + e.code)
    }
    try {
        client.misc.teapot()
    } catch (e: BlocksApiException) {
        println("teapot " + e.status + " " + e.code + " " + e.message)
    }
  }
}
`;

const hasKotlin = onPath('kotlinc') && KOTLIN_RUNTIME.every((jar) => existsSync(jar));

describe.skipIf(!hasKotlin)('generated Kotlin client (kotlinc)', () => {
  it('compiles (fixture and aws-blocks clients) and runs against a real server', { timeout: 180_000 }, async () => {
    const harness = path.join(workDir, 'Main.kt');
    await writeFile(harness, HARNESS);
    const classes = path.join(workDir, 'classes');
    const sources = [path.join(GOLDEN, 'kotlin/BlocksClient.kt'), path.join(APP_CLIENTS, 'kotlin/BlocksClient.kt'), harness];
    const compiled = await run('kotlinc', [...sources, '-cp', KOTLIN_CLASSPATH.join(':'), '-d', classes], {
      maxBuffer: 16 * 1024 * 1024,
    });
    // kotlinc reports as `file.kt:line:col: warning: …`; the JVM's own notices are not about the code.
    const warnings = compiled.stderr.split('\n').filter((line) => /\.kt:\d+:\d+: (warning|error):/.test(line));
    expect(warnings).toEqual([]);

    const { stdout } = await run('java', ['-cp', [classes, ...KOTLIN_RUNTIME].join(':'), 'MainKt', apiUrl]);
    expect(stdout.trim().split('\n')).toEqual([
      'rename Write tests due=null subtasks=0 parent=null',
      'search 1.0 low meta={}',
      'keywords c true 2.0',
      'echo {"a":1}',
      'level 2 maybe null',
      'add 400 -32602 InvalidParamsError',
      'auth 401 -32001',
      "teapot 418 -32018 I'm a teapot",
    ]);
  });
});

describe.skipIf(!onPath('swiftc'))('generated Swift client (swiftc)', () => {
  it('type-checks', { timeout: 180_000 }, async () => {
    const files = [path.join(GOLDEN, 'swift/BlocksClient.swift'), path.join(APP_CLIENTS, 'swift/BlocksClient.swift')];
    // Each file defines the same runtime types, so each is checked on its own.
    for (const file of files) await run('swiftc', ['-typecheck', file]);
  });
});
