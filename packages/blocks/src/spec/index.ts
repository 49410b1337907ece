/**
 * blocks-kit/spec: the app's API as an OpenRPC document (blocks.spec.json)
 * and the native clients generated from it, for tooling and staleness checks
 * (`npm run blocks:generate-client` is spec/cli.ts). It loads the TypeScript
 * compiler, so nothing at run time imports it.
 */
export { generateArtifacts, STALE_MESSAGE, type Artifacts } from './generate.js';
export { writeGeneratedFiles, HandWrittenFileError, type GeneratedFile } from './generated-files.js';
