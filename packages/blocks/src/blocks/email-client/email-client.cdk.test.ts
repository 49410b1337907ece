/**
 * What createBlocksBackend deploys for EmailClient: no resources, one grant
 * of ses:SendEmail on exactly each client's SES identity in the stack's
 * account and region, and the binding that tells the function which
 * identity that is. Synthesised in process with bundling skipped, and
 * checked with cdk-nag.
 */
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BlocksBackend } from '../../cdk/blocks-backend.js';
import { synthesizeFixture, type SynthesizedFixture } from '../../cdk/testing/synthesize-fixture.js';
import { Scope } from '../../core/scope.js';
import { EmailClient } from './index.cdk.js';

vi.mock('blocks-kit', async () => (await import('../../testing/kit-variant.js')).kitUnder('cdk'));

const FIXTURE = fileURLToPath(new URL('./testing/cdk-fixture-app.ts', import.meta.url));

let fixture: SynthesizedFixture;
let backend: BlocksBackend;
let template: Template;

beforeAll(async () => {
  fixture = await synthesizeFixture(FIXTURE);
  ({ backend, template } = fixture);
}, 60_000);

afterAll(() => fixture.cleanup());

const statements = () => fixture.statements();

/** A CloudFormation string (`Fn::Join` of literals and pseudo-parameter refs) as text: `arn:${AWS::Partition}:...`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(render).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref) return `\${${ref}}`;
  throw new Error(`unexpected CloudFormation value ${JSON.stringify(value)}`);
}

const identityArn = (identity: string): string => `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${identity}`;

describe('createBlocksBackend with EmailClient', () => {
  it('discovers both EmailClients', () => {
    const mail = backend.app.resources.filter((resource) => resource.kind === 'EmailClient').map((r) => `${r.scope.name}/${r.id}`);
    expect(mail).toEqual(['fixture-mail/alerts', 'fixture-mail/news']);
  });

  it('lets the handler send only as each identity: ses:SendEmail on exactly its ARN', () => {
    const ses = statements().filter((statement) => JSON.stringify(statement.Action).includes('ses:'));
    expect(ses).toHaveLength(1);
    expect(ses[0]!.Effect).toBe('Allow');
    expect(ses[0]!.Action).toBe('ses:SendEmail');
    const resources = ([] as unknown[]).concat(ses[0]!.Resource).map(render);
    expect(resources).toEqual([identityArn('alerts@example.com'), identityArn('mail.example.org')]);
  });

  it('grants no wildcard anywhere and no other way to send mail', () => {
    for (const statement of statements()) {
      const actions = ([] as string[]).concat(statement.Action);
      expect(actions.join(',')).not.toContain('*');
      for (const action of actions) if (action.startsWith('ses:')) expect(action).toBe('ses:SendEmail');
      for (const resource of ([] as unknown[]).concat(statement.Resource)) {
        expect(resource).not.toBe('*');
        if (JSON.stringify(statement.Action).includes('ses:')) expect(render(resource)).not.toContain('*');
      }
    }
  });

  it('tells the handler which identity belongs to which EmailClient', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const env = (fn!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    const mapping = render(env.BLOCKS_EMAIL_IDENTITIES);
    expect(JSON.parse(mapping.replace(/\$\{[^}]+\}/g, 'X'))).toEqual({
      'fixture-mail/alerts': 'arn:X:ses:X:X:identity/alerts@example.com',
      'fixture-mail/news': 'arn:X:ses:X:X:identity/mail.example.org',
    });
  });

  it('refuses a bad sender or identity at synthesis: the deployed function checks them only on its first send', () => {
    expect(() => new EmailClient(new Scope('cdk-bad-mail'), 'a', { from: 'not-an-address' })).toThrow(/option from is not an email address/);
    expect(() => new EmailClient(new Scope('cdk-bad-mail'), 'b', { from: 'a@example.com', identity: 'example.org' })).toThrow(/identity must be the from address/);
  });

  it('creates no resources of its own', () => {
    expect(Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type)).not.toContainEqual(
      expect.stringMatching(/^AWS::SES::/),
    );
  });
});
