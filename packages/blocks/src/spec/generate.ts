/**
 * Everything `npm run blocks:generate-client` writes, computed in memory:
 * the spec, then the clients generated from that spec (never from
 * TypeScript). The CLI writes it; the staleness test compares it.
 */
import type { GeneratedFile } from './generated-files.js';
import { generateClients, type ClientOptions } from './generators/index.js';
import { buildSpec, serializeSpec, type BuildSpecOptions } from './openrpc.js';

const SPEC_FILE = 'blocks.spec.json';
const CLIENTS_DIR = 'clients';
export const STALE_MESSAGE = 'blocks.spec.json is stale: run npm run blocks:generate-client';

export interface Artifacts {
  /** Relative to the app's directory. */
  readonly files: readonly GeneratedFile[];
  readonly warnings: readonly string[];
}

export async function generateArtifacts(options: BuildSpecOptions & ClientOptions): Promise<Artifacts> {
  const { document, warnings } = await buildSpec(options);
  const specText = serializeSpec(document);
  // Clients are generated from the serialised spec, exactly as an outside tool would read it.
  const clients = generateClients(JSON.parse(specText), options).map((file) => ({
    path: `${CLIENTS_DIR}/${file.path}`,
    content: file.content,
  }));
  return { files: [{ path: SPEC_FILE, content: specText }, ...clients], warnings };
}
