/**
 * blocks-kit/spec: the app's API as an OpenRPC document (blocks.spec.json)
 * and the native clients generated from it. Tooling only: it loads the
 * TypeScript compiler, so nothing at run time imports it.
 */
export { buildSpec, serializeSpec, type BuildSpecOptions, type BuiltSpec } from './openrpc.js';
export { generateArtifacts, SPEC_FILE, CLIENTS_DIR, STALE_MESSAGE, type Artifacts } from './generate.js';
export { generateClients, CLIENT_PATHS, type ClientOptions } from './generators/index.js';
export {
  writeGeneratedFiles,
  isGeneratedContent,
  HandWrittenFileError,
  GENERATED_MARKER,
  type GeneratedFile,
} from './generated-files.js';
export type * from './openrpc-types.js';
