/** requireAwsSdk: the SDK's CommonJS build, once per process, and a missing package named with where it should come from. */
import { describe, expect, it } from 'vitest';
import { requireAwsSdk } from './aws-sdk.js';

describe('requireAwsSdk', () => {
  it("loads a package's CommonJS exports, shared by every caller", () => {
    const first = requireAwsSdk<typeof import('@aws-sdk/client-dynamodb')>('@aws-sdk/client-dynamodb');
    expect(typeof first.DynamoDBClient).toBe('function');
    expect(requireAwsSdk('@aws-sdk/client-dynamodb')).toBe(first);
  });

  it('names a missing package and where it should have come from, keeping Node\'s error as the cause', () => {
    let thrown: unknown;
    try {
      requireAwsSdk('@aws-sdk/client-not-a-service');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/^AWS SDK package @aws-sdk\/client-not-a-service was not found\. Deployed, .*Lambda Node\.js runtime/);
    expect(((thrown as Error).cause as { code?: string }).code).toBe('MODULE_NOT_FOUND');
  });
});
