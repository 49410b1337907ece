import type { Backend } from '@aws-amplify/backend';
import { createBlocksBackend, type BlocksMode, type HostingBranch } from 'blocks-kit/cdk';
import type { auth } from './auth/resource';

/**
 * Deploys aws-blocks/ as a nested `blocks` stack of this Amplify backend:
 * one Lambda + HTTP API, one DynamoDB table per KVStore. The Lambda checks
 * tokens from the Amplify user pool, and the frontend finds the API at
 * `custom.blocks_api_url` in amplify_outputs.json.
 */
export async function initBlocks(backend: Backend<{ auth: typeof auth }>): Promise<void> {
  const stack = backend.createStack('blocks');
  // Set by ampx: `sandbox` for `npx ampx sandbox`, `branch` for Amplify Hosting deploys.
  const deploymentType: unknown = stack.node.tryGetContext('amplify-backend-type');
  const mode: BlocksMode = deploymentType === 'branch' ? 'production' : 'sandbox';
  const blocks = await createBlocksBackend(stack, {
    mode,
    cognito: {
      userPoolId: backend.auth.resources.userPool.userPoolId,
      clientId: backend.auth.resources.userPoolClient.userPoolClientId,
    },
    ...(mode === 'production' && { hosting: hostingBranch(stack.node.tryGetContext.bind(stack.node)) }),
    // Custom domains that serve the frontend, comma-separated (an Amplify
    // Hosting environment variable), e.g. https://app.example.com
    extraOrigins: (process.env.BLOCKS_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  });
  backend.addOutput({ custom: { blocks_api_url: blocks.apiUrl } });
}

/** For branch deploys ampx names the backend after the Amplify app id and the branch. */
function hostingBranch(context: (key: string) => unknown): HostingBranch | undefined {
  const appId = context('amplify-backend-namespace');
  const branch = context('amplify-backend-name');
  return typeof appId === 'string' && typeof branch === 'string' ? { appId, branch } : undefined;
}
