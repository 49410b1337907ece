/**
 * The one fact the `cdk` variant passes to the `aws-runtime` variant: the
 * bucket's name, and the optional endpoint override tests use. SDK- and
 * CDK-free, since both variants import it.
 */
import { defineBinding } from '../../core/binding.js';

export const FILE_BUCKET_BINDING = defineBinding('FileBucket', 'BLOCKS_FILE_BUCKETS', 'S3 bucket name');

/** Another S3 endpoint (an S3-compatible test server); unset in the cloud. Path-style addressing then. */
export const S3_ENDPOINT_ENV = 'BLOCKS_S3_ENDPOINT';
