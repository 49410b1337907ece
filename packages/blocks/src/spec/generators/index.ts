/** Every client generated from one spec, as files relative to the clients directory. */
import type { GeneratedFile } from '../generated-files.js';
import { generateDart } from './dart.js';
import { generateKotlin } from './kotlin.js';
import { buildClientModel } from './model.js';
import { generateSwift } from './swift.js';
import { generateTypeScript } from './typescript.js';

export interface ClientOptions {
  /** Package of the Kotlin client; default `blocks.client`. */
  readonly kotlinPackage?: string;
}

const CLIENT_PATHS = {
  swift: 'swift/BlocksClient.swift',
  kotlin: 'kotlin/BlocksClient.kt',
  dart: 'dart/blocks_client.dart',
  typescript: 'typescript/blocks-client.ts',
} as const;

export function generateClients(spec: unknown, options: ClientOptions = {}): GeneratedFile[] {
  const model = buildClientModel(spec);
  return [
    { path: CLIENT_PATHS.dart, content: generateDart(model) },
    { path: CLIENT_PATHS.kotlin, content: generateKotlin(model, { packageName: options.kotlinPackage ?? 'blocks.client' }) },
    { path: CLIENT_PATHS.swift, content: generateSwift(model) },
    { path: CLIENT_PATHS.typescript, content: generateTypeScript(model) },
  ];
}
