import type { StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidParamsError } from './errors.js';

/** Symbol under which a validated method keeps its schema (read by the spec generator). */
export const inputSchema: unique symbol = Symbol.for('blocks-kit.inputSchema');

export type InputMethod<S extends StandardSchemaV1, R> = ((
  input: StandardSchemaV1.InferInput<S>,
) => Promise<Awaited<R>>) & { readonly [inputSchema]: S };

export interface ParamIssue {
  /** Dotted path into the input, e.g. `text` or `tags.2`; empty for the input itself. */
  readonly path: string;
  readonly message: string;
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? [])
    .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
    .join('.');
}

/**
 * Declares a one-argument method whose input is checked by a Standard Schema
 * validator (zod 4, valibot, arktype...). Invalid input never reaches the
 * handler: the caller gets 400 / -32602 with each issue's path and message.
 * Named JSON-RPC params arrive as that one argument.
 */
export function withInput<S extends StandardSchemaV1, R>(
  schema: S,
  handler: (input: StandardSchemaV1.InferOutput<S>) => R,
): InputMethod<S, R> {
  const method = async (input: StandardSchemaV1.InferInput<S>): Promise<Awaited<R>> => {
    const result = await schema['~standard'].validate(input);
    if (result.issues) {
      const issues: ParamIssue[] = result.issues.map((issue) => ({
        path: pathOf(issue),
        message: issue.message,
      }));
      throw new InvalidParamsError('Invalid params', { issues });
    }
    return await handler(result.value);
  };
  return Object.assign(method, { [inputSchema]: schema });
}
