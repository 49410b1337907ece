/**
 * How the deployed function finds each AppSetting's SSM parameter: the `cdk`
 * variant names one parameter per setting per deployment, grants
 * `ssm:GetParameter` on exactly it and binds its name; the `aws-runtime`
 * variant reads the name back. Only names travel this way, never values.
 * Free of SDK and CDK imports: both variants load it.
 */
import { defineBinding } from '../../core/binding.js';

export const APP_SETTING_BINDING = defineBinding('AppSetting', 'BLOCKS_APP_SETTINGS', 'SSM parameter name');

/** Every parameter of one deployment lives under `/aws-blocks/<deployment>/`. */
export function parameterName(deployment: string, key: string): string {
  return `/aws-blocks/${deployment}/${key}`;
}

/** The command that sets a deployed setting, for messages and the README. */
export function putParameterCommand(name: string, secret: boolean): string {
  return `aws ssm put-parameter --name "${name}" --type ${secret ? 'SecureString' : 'String'} --value '<value>' --overwrite`;
}
