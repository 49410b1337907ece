/**
 * What createBlocksBackend deploys for RawRoutes: one HTTP API route each,
 * into the same function, with API Gateway's path syntax. Synthesised in
 * process with bundling skipped, and checked with cdk-nag.
 */
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { synthesizeFixture, type SynthesizedFixture } from '../../cdk/testing/synthesize-fixture.js';

vi.mock('blocks-kit', async () => (await import('../../testing/kit-variant.js')).kitUnder('cdk'));

const FIXTURE = fileURLToPath(new URL('./testing/fixture-app.ts', import.meta.url));

let fixture: SynthesizedFixture;
let template: Template;

beforeAll(async () => {
  fixture = await synthesizeFixture(FIXTURE, { mode: 'production' });
  ({ template } = fixture);
}, 60_000);

afterAll(() => fixture.cleanup());

describe('createBlocksBackend with RawRoutes', () => {
  it('adds each route to the HTTP API in API Gateway syntax, GET routes with HEAD', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r.Properties as { RouteKey: string }).RouteKey).sort();
    expect(keys).toEqual(
      [
        'POST /aws-blocks/api',
        'POST /aws-blocks/raw/hooks/{provider}',
        'GET /aws-blocks/raw/go/{target+}',
        'HEAD /aws-blocks/raw/go/{target+}',
        'GET /aws-blocks/raw/boom',
        'HEAD /aws-blocks/raw/boom',
        'PUT /aws-blocks/raw/private/{id}',
        'DELETE /aws-blocks/raw/private/{id}',
      ].sort(),
    );
  });

  it('integrates every route with the one API function, allowed to be invoked only by this API on that route', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    const [functionId] = Object.keys(template.findResources('AWS::Lambda::Function'));
    for (const integration of Object.values(template.findResources('AWS::ApiGatewayV2::Integration'))) {
      expect(JSON.stringify(integration.Properties)).toContain(functionId);
    }
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => JSON.stringify(p.Properties));
    expect(permissions.some((p) => p.includes('/aws-blocks/raw/hooks/{provider}'))).toBe(true);
    for (const permission of permissions) expect(permission).toContain('execute-api');
  });
});
