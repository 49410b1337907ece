import { describe, expect, it } from 'vitest';
import { withCdkCondition } from './ampx.mjs';

describe('withCdkCondition', () => {
  it('adds the cdk condition when NODE_OPTIONS is empty or unset', () => {
    expect(withCdkCondition(undefined)).toBe('--conditions=cdk');
    expect(withCdkCondition('  ')).toBe('--conditions=cdk');
  });

  it('keeps the user’s own flags', () => {
    expect(withCdkCondition('--max-old-space-size=4096 --use-openssl-ca')).toBe(
      '--max-old-space-size=4096 --use-openssl-ca --conditions=cdk',
    );
  });

  it('does not add it twice', () => {
    expect(withCdkCondition('--inspect --conditions=cdk')).toBe('--inspect --conditions=cdk');
    expect(withCdkCondition('--conditions cdk')).toBe('--conditions cdk');
  });

  it('keeps other conditions and still adds cdk', () => {
    expect(withCdkCondition('--conditions=development')).toBe('--conditions=development --conditions=cdk');
  });
});
