/**
 * Child-process entry that synthesizes the app's backend exactly as `ampx`
 * does: importing amplify/backend.ts runs `defineBackend`, which writes the
 * templates to CDK_OUTDIR when the process ends. The whole backend, not just
 * amplify/auth/resource.ts, because Amplify's documented way to change e.g. the
 * password policy is an override of the user pool in backend.ts.
 */
import { pathToFileURL } from 'node:url';

const backend = process.env.BLOCKS_BACKEND_FILE;
if (!backend) throw new Error('BLOCKS_BACKEND_FILE is not set');
await import(pathToFileURL(backend).href);
