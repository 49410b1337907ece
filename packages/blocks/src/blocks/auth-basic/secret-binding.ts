/**
 * How the deployed function finds each AuthBasic's session key: the `cdk`
 * variant generates a Secrets Manager secret per AuthBasic, grants
 * GetSecretValue on exactly it, and binds its ARN; the `aws-runtime` variant
 * reads the ARN back. The secret's value never appears in the template or
 * the bundle.
 */
import { defineBinding } from '../../core/binding.js';

export const AUTH_BASIC_KEY_BINDING = defineBinding('AuthBasic', 'BLOCKS_AUTH_BASIC_SECRETS', 'Secrets Manager secret ARN');
