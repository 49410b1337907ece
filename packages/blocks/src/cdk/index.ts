/** blocks-kit/cdk: deploy the app's Blocks into a CDK stack (used by amplify/blocks.ts). */
export { createBlocksBackend, type BlocksBackend, type BlocksBackendOptions } from './blocks-backend.js';
export type { BlocksMode, HostingBranch } from './cors.js';
export type { CloudBlock, ProvisionContext, WorkerFunction } from './provision.js';
