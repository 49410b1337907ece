/**
 * How a deployed Block finds the cloud resource its `cdk` variant created:
 * the variant binds a value (a table name, a secret ARN) to the Block, the
 * stack writes every binding of one kind into one environment variable of
 * the function, as JSON `{ "<scope>/<id>": "<value>" }`, and the
 * `aws-runtime` variant reads it back here. Both sides name the same
 * `Binding` object, so the variable's name and format exist once.
 *
 * This module stays free of AWS SDK and CDK imports: every variant loads it.
 */

/** What a Block is to a binding: its place in the app. */
export interface BoundBlock {
  readonly scope: { readonly name: string };
  readonly id: string;
}

export interface Binding {
  /** The function's environment variable holding the JSON map. */
  readonly env: string;
  /** The Block kind, for messages: `KVStore`. */
  readonly kind: string;
  /** What the value is, for messages: `DynamoDB table name`. */
  readonly value: string;
}

export function defineBinding(kind: string, env: string, value: string): Binding {
  return { kind, env, value };
}

/** The key of a Block in every binding map. */
export function bindingKey(block: BoundBlock): string {
  return `${block.scope.name}/${block.id}`;
}

/**
 * The value bound to `block`, or an error that says which variable is
 * missing or wrong. Called on a Block's first use, never at module load: the
 * app module is also imported by tooling that has no such environment.
 */
export function readBinding(binding: Binding, block: BoundBlock, env: NodeJS.ProcessEnv = process.env): string {
  const key = bindingKey(block);
  const missing = (why: string): Error =>
    new Error(
      `${binding.kind} "${key}" has no ${binding.value}: ${why}. ${binding.env} must be JSON mapping "<scope>/<id>" ` +
        `to a ${binding.value}; the Blocks backend sets it for every ${binding.kind} declared in the app's scopes.`,
    );
  const raw = env[binding.env];
  if (raw === undefined || raw === '') throw missing(`${binding.env} is not set`);
  let map: unknown;
  try {
    map = JSON.parse(raw);
  } catch {
    throw missing(`${binding.env} is not valid JSON`);
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw missing(`${binding.env} is not a JSON object`);
  const value: unknown = Object.hasOwn(map, key) ? (map as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string' || value === '') throw missing(`${binding.env} has no entry for it`);
  return value;
}
