/**
 * Runs synth-entry.ts in a child Node process (the CDK needs the `cdk` export
 * condition and exits the process when done) and reads back the templates:
 * the root stack's outputs are what `ampx` turns into amplify_outputs.json,
 * the nested auth stack holds the user pool, its client and groups.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isJsonObject, safeJsonParse, type JsonObject } from '../../core/safe-json.js';

const run = promisify(execFile);

export interface AuthTemplates {
  readonly root: JsonObject;
  readonly auth: JsonObject;
}

const ENTRY = path.join(import.meta.dirname, 'synth-entry.ts');

export async function synthesizeAuth(projectRoot: string, backendFile: string): Promise<AuthTemplates> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'blocks-auth-synth-'));
  try {
    await run(process.execPath, ['--import', 'tsx', ENTRY], {
      cwd: projectRoot,
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        ...process.env,
        BLOCKS_BACKEND_FILE: backendFile,
        CDK_OUTDIR: outDir,
        CDK_CONTEXT_JSON: JSON.stringify({
          'amplify-backend-namespace': 'local',
          'amplify-backend-name': 'local',
          'amplify-backend-type': 'sandbox',
        }),
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=cdk`.trim(),
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    const files = await readdir(outDir);
    const load = async (match: (file: string) => boolean, what: string): Promise<JsonObject> => {
      const file = files.find(match);
      if (!file) throw new Error(`The auth synthesis wrote no ${what} template`);
      const parsed = safeJsonParse(await readFile(path.join(outDir, file), 'utf8'));
      if (!isJsonObject(parsed)) throw new Error(`The ${what} template is not a JSON object`);
      return parsed;
    };
    return {
      root: await load((f) => f.endsWith('.template.json') && !f.includes('.nested.'), 'root'),
      auth: await load((f) => f.includes('auth') && f.endsWith('.nested.template.json'), 'auth'),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
