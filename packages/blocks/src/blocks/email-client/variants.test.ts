/**
 * App code imports EmailClient under whichever condition it runs; a name
 * exported by one variant and not another would break only there (in the
 * Lambda, or at synthesis), so the three are compared here.
 */
import { describe, expect, it } from 'vitest';

describe('EmailClient variants', () => {
  it('export the same names', async () => {
    const [local, aws, cdk] = await Promise.all([import('./index.js'), import('./index.aws.js'), import('./index.cdk.js')]);
    const names = (module: object): string[] => Object.keys(module).sort();
    expect(names(local)).toEqual(['EmailClient', 'readEmailOutbox']);
    expect(names(aws)).toEqual(names(local));
    expect(names(cdk)).toEqual(names(local));
  });
});
