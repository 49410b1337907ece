import type { Backend } from '@aws-amplify/backend';
import { Validations } from 'aws-cdk-lib';
import type { auth } from './auth/resource';

/**
 * The cdk-nag (AWS Solutions) findings on Amplify Auth's defaults that this
 * template keeps on purpose, each with the reason. The Blocks stack itself
 * carries its own acknowledgements next to the resources they concern.
 * `npm test` synthesizes with cdk-nag and fails on any finding not listed.
 */
export function acknowledgeAmplifyAuthDefaults(backend: Backend<{ auth: typeof auth }>): void {
  const { userPool } = backend.auth.resources;
  Validations.of(userPool).acknowledge({
    id: 'AwsSolutions-COG2',
    reason: 'MFA is optional in a starter template; require it with defineAuth({ multifactor: { mode: "REQUIRED", ... } }).',
  });
  Validations.of(userPool).acknowledge({
    id: 'AwsSolutions-COG8',
    reason: 'The Plus feature plan (threat protection) is billed per active user; turn it on per app via the user pool tier.',
  });
  Validations.of(backend.auth.resources.cfnResources.cfnIdentityPool).acknowledge({
    id: 'AwsSolutions-COG7',
    reason: 'Amplify enables guest identities by default; this template grants the guest role no permissions and never uses it.',
  });
  // Branch deploys (Amplify Hosting) add Amplify's own branch-linker custom
  // resource: AWS-managed code the template does not control. Its findings
  // are acknowledged one by one, so anything new still fails the check.
  const branchLinker = backend.stack.node.tryFindChild('AmplifyBranchLinker');
  if (branchLinker) {
    const context = (key: string): string => String(backend.stack.node.tryGetContext(key));
    const branchArn = `arn:aws:amplify:*:*:apps/${context('amplify-backend-namespace')}/branches/${context('amplify-backend-name')}`;
    const findings: [id: string, reason: string][] = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "Amplify's branch-linker custom resource logs with the standard Lambda basic execution policy.",
      ],
      [
        `AwsSolutions-IAM5[Resource::${branchArn}]`,
        "Amplify's branch-linker updates only this app's branch; the region and account parts are Amplify's own wildcards.",
      ],
      [
        'AwsSolutions-IAM5[Resource::<AmplifyBranchLinkerCustomResourceLambda582AC093.Arn>:*]',
        "The custom-resource provider invokes versions of Amplify's own branch-linker function.",
      ],
      ['AwsSolutions-L1', 'Amplify pins the runtime of its branch-linker custom resource, which runs only during deployment.'],
    ];
    for (const [id, reason] of findings) Validations.of(branchLinker).acknowledge({ id, reason });
  }
}
