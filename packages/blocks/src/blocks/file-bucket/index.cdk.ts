/**
 * FileBucket under the `cdk` condition: provisions a private S3 bucket in the
 * Blocks stack (no public access, TLS only, S3-managed encryption, CORS for
 * exactly the API's browser origins, incomplete multipart uploads aborted),
 * lets the API function read, write, list and delete objects in it and
 * nothing else, and binds its name for the `aws-runtime` variant. A sandbox
 * bucket is emptied and destroyed with the sandbox; production keeps it,
 * versioned.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { CloudBlock, ProvisionContext } from '../../cdk/provision.js';
import { FILE_BUCKET_BINDING } from './binding.js';
import { FileBucketBlock } from './file-bucket.js';
import type { FileStorage } from './storage.js';

export * from './public.js';

/** Object actions the S3 storage uses (presigned URLs act with the function's own rights). */
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] as const;
const BUCKET_ACTIONS = ['s3:ListBucket'] as const;

export class FileBucket extends FileBucketBlock implements CloudBlock {
  protected open(): FileStorage {
    throw new Error(
      `FileBucket "${this.scope.name}/${this.id}" holds no files during CDK synthesis; call it from API methods, not at module load.`,
    );
  }

  provision(context: ProvisionContext): void {
    const production = context.mode === 'production';
    const bucket = new Bucket(context.construct, context.logicalId('Files'), {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: production,
      removalPolicy: context.removalPolicy,
      autoDeleteObjects: !production,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Versions protect production data from a bad delete; a month of them is enough to restore from.
        ...(production ? [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) }] : []),
      ],
      ...(context.allowedOrigins.length > 0 && {
        cors: [
          {
            allowedOrigins: [...context.allowedOrigins],
            // POST: presigned form uploads; GET/HEAD: presigned downloads (with Range).
            allowedMethods: [HttpMethods.GET, HttpMethods.HEAD, HttpMethods.POST],
            allowedHeaders: ['content-type', 'range'],
            exposedHeaders: ['etag', 'content-length', 'content-range', 'content-disposition'],
            maxAge: 3600,
          },
        ],
      }),
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Object access goes through the Blocks API (logged per request) and short-lived presigned URLs; server access logs would need a second bucket per FileBucket.',
    });
    context.grant(OBJECT_ACTIONS, [bucket.arnForObjects('*')]);
    context.grant(BUCKET_ACTIONS, [bucket.bucketArn]);
    // cdk-nag names each wildcard resource it finds; the grant lands in the Blocks functions' role policies.
    const logicalId = Stack.of(bucket).resolve((bucket.node.defaultChild as CfnBucket).logicalId) as string;
    context.acknowledgeGrant({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
      reason: `Objects are created at run time under keys the app chooses; the grant covers only objects of the FileBucket "${this.scope.name}/${this.id}", with exact actions.`,
    });
    context.bind(FILE_BUCKET_BINDING, bucket.bucketName);
  }
}
