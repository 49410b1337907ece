/**
 * AppSetting under the `cdk` condition: one SSM parameter per setting per
 * deployment, named `/aws-blocks/<root stack name>/<scope>/<id>`, readable
 * (`ssm:GetParameter`, nothing else) by the API function only.
 *
 * - A setting with a default becomes a String parameter created with the
 *   default as its value; `put-parameter --overwrite` changes it later.
 * - A secret is never created here: CloudFormation cannot create a
 *   SecureString, and a value in the template would be readable by anyone
 *   who can read the stack. The name is reserved (granted and bound) and you
 *   put the value yourself with `--type SecureString`; the function reads it
 *   with decryption. With the AWS-managed key (`alias/aws/ssm`, what
 *   put-parameter uses by default) the key policy already lets SSM decrypt
 *   for callers allowed GetParameter, so no `kms:Decrypt` is granted at all.
 * - A non-secret without a default is reserved the same way (type String).
 */
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { CloudBlock, ProvisionContext } from '../../cdk/provision.js';
import { DeclaredAppSetting } from './declared-setting.js';
import { APP_SETTING_BINDING, parameterName } from './setting-binding.js';

export * from './public.js';

/** The outermost stack's name: concrete (Amplify names it per app branch or sandbox) even when ours is nested. */
function deploymentName(construct: Construct): string {
  let stack = Stack.of(construct);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  if (Token.isUnresolved(stack.stackName)) {
    throw new Error('AppSetting needs a deployment name: the root stack has no concrete name.');
  }
  return stack.stackName;
}

export class AppSetting extends DeclaredAppSetting implements CloudBlock {
  protected read(): Promise<string | undefined> {
    return Promise.reject(
      new Error(`AppSetting "${this.key}" has no value during CDK synthesis; call get() from API methods or routes, not at module load.`),
    );
  }

  protected howToSet(): string {
    return '';
  }

  provision(context: ProvisionContext): void {
    const name = parameterName(deploymentName(context.construct), this.key);
    let arn: string;
    if (this.default !== undefined && !this.secret) {
      const parameter = new StringParameter(context.construct, context.logicalId('Setting'), {
        parameterName: name,
        stringValue: this.default,
        tier: ParameterTier.STANDARD,
        description: `AppSetting ${this.key} (read by the Blocks API handler only).`,
      });
      parameter.applyRemovalPolicy(context.removalPolicy);
      arn = parameter.parameterArn;
    } else {
      arn = Stack.of(context.construct).formatArn({
        service: 'ssm',
        resource: 'parameter',
        resourceName: name.slice(1),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    }
    context.grant(['ssm:GetParameter'], [arn]);
    context.bind(APP_SETTING_BINDING, name);
  }
}
