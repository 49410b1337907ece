/** blocks-kit/cdk: deploy the app's Blocks into a CDK stack (used by amplify/blocks.ts). */
export { createBlocksBackend, type BlocksBackend, type BlocksBackendOptions } from './blocks-backend.js';
export { allowedOrigins, amplifyHostingOrigin, LOCAL_DEV_ORIGINS, type BlocksMode, type HostingBranch } from './cors.js';
export { discoverApp, type DiscoveredApp, type DiscoveredAuthBasic, type DiscoveredStore } from './discover.js';
