/**
 * How a deployed AsyncJob finds its queue: the `cdk` variant binds the queue
 * URL (for SendMessage) and ARN (to recognise its records in the worker),
 * the `aws-runtime` variant reads them back (core/binding.ts). Free of AWS
 * SDK and CDK imports: every variant loads it.
 */
import { defineBinding } from '../../core/binding.js';

export const JOB_QUEUE_URL_BINDING = defineBinding('AsyncJob', 'BLOCKS_JOB_QUEUE_URLS', 'SQS queue URL');
export const JOB_QUEUE_ARN_BINDING = defineBinding('AsyncJob', 'BLOCKS_JOB_QUEUE_ARNS', 'SQS queue ARN');
