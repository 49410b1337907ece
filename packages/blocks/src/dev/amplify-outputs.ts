import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

const OUTPUTS_MODULE_ID = 'virtual:amplify-outputs';
const RESOLVED_ID = '\0' + OUTPUTS_MODULE_ID;

/** How the frontend is configured; chosen once when the dev server or build starts. */
export type BlocksMode = 'local' | 'cloud';

export interface OutputsPluginOptions {
  /** Outputs to serve in local mode (API and user pool on the dev server's origin). */
  readonly localOutputs: () => Record<string, unknown>;
}

/**
 * - `vite` (dev) with no amplify_outputs.json, or with BLOCKS_MODE=local: local mode.
 * - `vite` (dev) with amplify_outputs.json from `ampx sandbox`: cloud mode, the file as is.
 * - `vite build`: always the real file; without it the build stops and says how to get one.
 * The real amplify_outputs.json is never written or changed here.
 */
export function resolveMode(root: string, command: 'serve' | 'build'): BlocksMode {
  const forced = process.env.BLOCKS_MODE;
  if (forced !== undefined && forced !== 'local' && forced !== 'cloud') {
    throw new Error(`BLOCKS_MODE must be "local" or "cloud", not "${forced}".`);
  }
  if (command === 'build') return 'cloud';
  if (forced) return forced;
  return existsSync(outputsPath(root)) ? 'cloud' : 'local';
}

/** amplify_outputs.json at the root, or BLOCKS_OUTPUTS_FILE (CI, monorepos, tests). */
const outputsPath = (root: string): string =>
  path.resolve(root, process.env.BLOCKS_OUTPUTS_FILE ?? 'amplify_outputs.json');

const MISSING_OUTPUTS_MESSAGE = [
  'amplify_outputs.json is missing, so there is no backend to build the frontend against.',
  'Get one of:',
  '  npm run sandbox                       deploy a personal cloud sandbox (writes amplify_outputs.json)',
  '  npx ampx generate outputs --branch <branch> --app-id <app id>   for an Amplify Hosting backend',
  'Or develop locally with no AWS account: npm run dev',
].join('\n');

export function amplifyOutputsPlugin(options: OutputsPluginOptions): Plugin {
  let mode: BlocksMode = 'local';
  let root = process.cwd();
  return {
    name: 'blocks-kit:amplify-outputs',
    configResolved(config) {
      root = config.root;
      mode = resolveMode(root, config.command);
      if (config.command === 'build' && !existsSync(outputsPath(root))) {
        throw new Error(`${MISSING_OUTPUTS_MESSAGE}\n(looked for ${outputsPath(root)})`);
      }
      if (config.command === 'serve') {
        config.logger.info(
          mode === 'local'
            ? '[blocks] local mode: Blocks API, data and user pool run on this dev server (no AWS).'
            : '[blocks] cloud mode: using amplify_outputs.json (set BLOCKS_MODE=local to stay local).',
        );
      }
    },
    resolveId(id) {
      return id === OUTPUTS_MODULE_ID ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      if (mode === 'local') return `export default ${JSON.stringify(options.localOutputs())};`;
      const file = outputsPath(root);
      this.addWatchFile(file);
      return `export default ${readFileSync(file, 'utf8')};`;
    },
  };
}
