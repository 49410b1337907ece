/**
 * Synthesizes amplify/backend.ts with cdk-nag's AWS Solutions checks
 * attached; run by backend.test.ts in a child process. Any finding that is not
 * acknowledged (with a reason) fails the synthesis and lands in the report.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { backend } from '../backend';
import { acknowledgeAmplifyAuthDefaults } from '../security-review';

acknowledgeAmplifyAuthDefaults(backend);
const app = backend.stack.node.root;
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
