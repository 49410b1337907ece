/**
 * The provisioning contract: what a Block's `cdk` variant may ask of the
 * Blocks backend. createBlocksBackend builds the API, its function and the
 * function's role, then hands each declared Block a `ProvisionContext`; the
 * Block creates its own resources, grants the function exactly what it needs
 * on them and binds the values its `aws-runtime` variant reads back. The
 * stack-level code never names a Block kind.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { Binding } from '../core/binding.js';
import type { ScopedResource } from '../core/scope.js';
import type { BlocksMode } from './cors.js';

export interface ProvisionContext {
  /** The construct a Block's resources go in (shared by all Blocks: see `logicalId`). */
  readonly construct: Construct;
  /** `sandbox` or `production` (see BlocksBackendOptions.mode). */
  readonly mode: BlocksMode;
  /** DESTROY in a sandbox, RETAIN in production. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The construct id for this Block's resource of one sort: `<prefix>-<scope>-<id>`.
   * Ids of deployed resources must never change between versions of the kit
   * (a new id replaces the resource, and a retained table would be orphaned
   * with its data), so every Block derives them through this one rule.
   */
  logicalId(prefix: string): string;
  /** Allows the Blocks functions `actions` (exact names, no wildcards) on exactly `resources` (ARNs). */
  grant(actions: readonly string[], resources: readonly string[]): void;
  /**
   * Acknowledges a cdk-nag finding that this Block's grants raise (an object
   * pattern like `bucket/*`), with the reason, on the role of every Blocks
   * function the grants land on (the API function's and the worker's).
   */
  acknowledgeGrant(finding: { readonly id: string; readonly reason: string }): void;
  /** Passes `value` (a name, an ARN) to this Block's `aws-runtime` variant through `binding`. */
  bind(binding: Binding, value: string): void;
  /** The HTTP API, for Blocks that serve routes of their own. */
  readonly api: HttpApi;
  /** The function serving the API. */
  readonly handler: IFunction;
  /** The browser origins the API accepts (cors.ts), for Blocks whose own endpoints browsers call (an S3 bucket's CORS). */
  readonly allowedOrigins: readonly string[];
  /**
   * The Blocks worker: a second function, bundled from the same entry, that
   * works background events (queue records, scheduled invocations) and hands
   * each to the Block that owns it (transports/lambda-worker.ts). Created on
   * the first call; it gets every binding and grant the API function gets.
   * Its timeout is the longest `timeoutSeconds` any Block asks for.
   */
  worker(options: { readonly timeoutSeconds: number }): WorkerFunction;
}

export interface WorkerFunction {
  readonly function: IFunction;
  /**
   * The worker's final timeout in seconds, as a token resolved at synthesis
   * (Blocks provisioned later may raise it). An SQS queue the worker
   * consumes needs a visibility timeout of at least this.
   */
  readonly timeoutSeconds: number;
}

/** A Block with cloud resources: its `cdk` variant implements this. */
export interface CloudBlock extends ScopedResource {
  provision(context: ProvisionContext): void;
}

export function isCloudBlock(resource: ScopedResource): resource is CloudBlock {
  return typeof (resource as Partial<CloudBlock>).provision === 'function';
}
