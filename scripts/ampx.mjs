#!/usr/bin/env node
// @ts-check
/**
 * Runs `ampx <args>` with the `cdk` export condition added to NODE_OPTIONS,
 * keeping whatever flags the user already has there (a memory limit, a
 * debugger, a CA bundle...). `npm run sandbox` and `npm run sandbox:delete`
 * use it; amplify.yml does the same inline.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * @param {string | undefined} existing the current NODE_OPTIONS
 * @returns {string} NODE_OPTIONS with `--conditions=cdk`, added once
 */
export function withCdkCondition(existing) {
  const flags = (existing ?? '').trim();
  if (/(^|\s)(--conditions=cdk|-C\s*=?\s*cdk|--conditions\s+cdk)(\s|$)/.test(flags)) return flags;
  return flags ? `${flags} --conditions=cdk` : '--conditions=cdk';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const child = spawn('npx', ['ampx', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: withCdkCondition(process.env.NODE_OPTIONS) },
  });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
}
