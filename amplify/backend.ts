import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { initBlocks } from './blocks';

export const backend = defineBackend({ auth });
await initBlocks(backend);
