// A Blocks app exercising what the spec generator must describe: validators
// and plain TypeScript params, named and recursive types, auth through
// helpers, and the errors a method can raise.
import { z } from 'zod';
import {
  ApiError,
  ApiNamespace,
  CognitoVerifier,
  KVStore,
  NotFoundError,
  Scope,
  withInput,
  type RequestContext,
} from '../../index.js';

const scope = new Scope('spec-fixture');
const auth = new CognitoVerifier({ userPoolId: 'us-east-1_Fixture1', clientId: 'fixture-client', tokenUse: 'id' });
const tasks = new KVStore<Task>(scope, 'tasks');
const ADMINS = 'admins';

export type Priority = 'low' | 'high';

/** A unit of work; tasks nest. */
export interface Task {
  readonly id: string;
  /** Shown in lists. */
  readonly title: string;
  readonly done: boolean;
  readonly priority: Priority;
  readonly tags: readonly string[];
  readonly due: Date | null;
  readonly estimate?: number;
  readonly meta: Record<string, number>;
  readonly subtasks: Task[];
  readonly parent?: Task;
}

interface Keywords {
  readonly class: string;
  readonly 'kebab-key'?: number;
  readonly default: boolean;
}

// Followed by the static check: callers of this helper need a signed-in user.
async function currentUser(context: RequestContext): Promise<string> {
  return (await auth.requireAuth(context)).sub;
}

function sample(id: string, title: string): Task {
  return { id, title, done: false, priority: 'low', tags: [], due: null, meta: {}, subtasks: [] };
}

export const todo = new ApiNamespace(scope, 'todo', (context) => ({
  /** Adds a task for the signed-in user. */
  add: withInput(
    z.object({
      title: z.string().min(1).max(200),
      priority: z.enum(['low', 'high']).default('low'),
      tags: z.array(z.string().max(20)).max(5).optional(),
    }),
    async (input): Promise<Task> => {
      const owner = await currentUser(context);
      const task = { ...sample(`${owner}-1`, input.title), priority: input.priority, tags: input.tags ?? [] };
      await tasks.put(task.id, task, { ifNotExists: true });
      return task;
    },
  ),

  async get(id: string): Promise<Task | null> {
    await auth.requireAuth(context);
    const item = await tasks.get(id);
    if (!item) throw new NotFoundError('No such task');
    return item.value;
  },

  rename: withInput(z.string().trim().min(1), (title) => sample('renamed', title)),

  /** A custom check has no JSON Schema: the TypeScript type stands in for the validator. */
  schedule: withInput(
    z.object({ id: z.string(), at: z.custom<string>((value) => typeof value === 'string' && !Number.isNaN(Date.parse(value))) }),
    ({ id }) => ({ id, scheduled: true as const }),
  ),

  search: (query: string, limit?: number): { items: Task[]; total: number } => ({
    items: [sample('s1', query)].slice(0, limit ?? 10),
    total: 1,
  }),

  async purge(): Promise<void> {
    await auth.requireGroup(context, ADMINS);
  },
}));

export const misc = new ApiNamespace(scope, 'misc', () => ({
  echo: (value: unknown): unknown => value,
  keywords: (input: Keywords): Keywords => input,
  pair: (): [string, number] => ['a', 1],
  level: (): 1 | 2 | 3 => 2,
  maybe: (flag: boolean): string | undefined => (flag ? 'yes' : undefined),
  teapot: (): never => {
    throw new ApiError("I'm a teapot", 418);
  },
}));

export const notAnApi = { value: 1 };
