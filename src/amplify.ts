import { Amplify, type ResourcesConfig } from 'aws-amplify';
import outputs from 'virtual:amplify-outputs';

/** True when `npm run dev` serves everything locally (no amplify_outputs.json, or BLOCKS_MODE=local). */
export const isLocalMode = outputs.custom?.blocks_mode === 'local';

Amplify.configure(outputs as Parameters<typeof Amplify.configure>[0]);

// Local mode: send Cognito user-pool calls to the dev server's local pool.
// amplify_outputs.json has no field for this, so it is set after configure.
const localPool = outputs.custom?.local_user_pool_endpoint;
const cognito = Amplify.getConfig().Auth?.Cognito;
if (isLocalMode && localPool && cognito) {
  // Local outputs have a user pool and no identity pool; the config's union
  // type cannot express "same config plus an endpoint", hence the assertion.
  Amplify.configure({
    ...Amplify.getConfig(),
    Auth: { Cognito: { ...cognito, userPoolEndpoint: new URL(localPool, window.location.origin).href } },
  } as ResourcesConfig);
}

/** Local mode: where the dev server serves the Blocks console; undefined otherwise. */
export const consolePath = isLocalMode ? outputs.custom?.local_console_path : undefined;

export { outputs };
