/**
 * FileBucket under the `aws-runtime` condition (inside the Lambda): the S3
 * bucket its `cdk` variant created and bound. It serves no routes: browsers
 * talk to S3 directly through presigned URLs.
 */
import { readBinding } from '../../core/binding.js';
import type { Scope } from '../../core/scope.js';
import { FILE_BUCKET_BINDING } from './binding.js';
import { FileBucketBlock } from './file-bucket.js';
import { S3FileStorage } from './s3-storage.js';
import type { FileStorage } from './storage.js';
import type { FileBucketOptions } from './types.js';

export * from './public.js';

export class FileBucket extends FileBucketBlock {
  constructor(scope: Scope, id: string, options?: FileBucketOptions) {
    super(scope, id, options, 'on-first-use');
  }

  protected open(): FileStorage {
    return new S3FileStorage({ bucket: () => readBinding(FILE_BUCKET_BINDING, this) });
  }
}
