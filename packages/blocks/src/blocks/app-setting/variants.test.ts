/**
 * Application code imports the same names under every condition, so the
 * three variants (local, aws-runtime, cdk) must export exactly the same
 * names, or an app that works in `npm run dev` fails to bundle or synth.
 */
import { describe, expect, it } from 'vitest';

const names = async (file: string): Promise<string[]> => Object.keys((await import(new URL(`./${file}`, import.meta.url).href)) as object).sort();

describe('app-setting variants', () => {
  it('index.ts, index.aws.ts and index.cdk.ts export the same names', async () => {
    const local = await names('index.ts');
    expect(local.length).toBeGreaterThan(0);
    expect(await names('index.aws.ts')).toEqual(local);
    expect(await names('index.cdk.ts')).toEqual(local);
  });
});
