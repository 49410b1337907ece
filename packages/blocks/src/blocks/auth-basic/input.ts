/**
 * The input of `setAuthState`, checked by a small Standard Schema validator
 * written here so the kit does not make apps depend on zod. It normalises as
 * it validates (usernames, passwords), applies the password policy to new
 * passwords, and reports each problem with its path, as `withInput` expects.
 * It also describes itself as JSON Schema (Standard JSON Schema), for spec
 * and client generators.
 */
import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { MAX_PASSWORD_LENGTH, normalisePassword, passwordProblems, type ResolvedPasswordPolicy } from './password-policy.js';
import { normaliseUsername, usernameProblem } from './username.js';

export type SetAuthStateInput =
  | { readonly action: 'signUp'; readonly username: string; readonly password: string }
  | { readonly action: 'signIn'; readonly username: string; readonly password: string }
  | { readonly action: 'signOut' }
  /** With `password`, a successful confirmation also signs the user in. */
  | { readonly action: 'confirmSignUp'; readonly username: string; readonly code: string; readonly password?: string }
  | { readonly action: 'resendCode'; readonly username: string }
  | { readonly action: 'forgotPassword'; readonly username: string }
  | {
      readonly action: 'confirmForgotPassword';
      readonly username: string;
      readonly code: string;
      readonly newPassword: string;
    };

export type AuthAction = SetAuthStateInput['action'];

/** How each field is checked: an existing password is only bounded; a new one must meet the policy. */
type FieldKind = 'username' | 'password' | 'newPassword' | 'code';
interface FieldRule {
  readonly kind: FieldKind;
  readonly optional?: boolean;
}

const FIELDS: { readonly [A in AuthAction]: Readonly<Record<string, FieldRule>> } = {
  signUp: { username: { kind: 'username' }, password: { kind: 'newPassword' } },
  signIn: { username: { kind: 'username' }, password: { kind: 'password' } },
  signOut: {},
  confirmSignUp: { username: { kind: 'username' }, code: { kind: 'code' }, password: { kind: 'password', optional: true } },
  resendCode: { username: { kind: 'username' } },
  forgotPassword: { username: { kind: 'username' } },
  confirmForgotPassword: { username: { kind: 'username' }, code: { kind: 'code' }, newPassword: { kind: 'newPassword' } },
};

const ACTIONS = Object.keys(FIELDS) as AuthAction[];
const isAction = (value: unknown): value is AuthAction => typeof value === 'string' && Object.hasOwn(FIELDS, value);

/** Raw input bounds, checked before any normalisation does work proportional to the length. */
const MAX_RAW_USERNAME = 512;
const CODE = /^[0-9]{6}$/;

type Issue = StandardSchemaV1.Issue;

function checkField(name: string, rule: FieldRule, value: unknown, policy: ResolvedPasswordPolicy, issues: Issue[]): string | undefined {
  const issue = (message: string): undefined => {
    issues.push({ message, path: [name] });
    return undefined;
  };
  if (typeof value !== 'string') return issue(`Expected ${name} to be a string`);
  switch (rule.kind) {
    case 'username': {
      if (value.length > MAX_RAW_USERNAME) return issue('Username is too long');
      const username = normaliseUsername(value);
      const problem = usernameProblem(username);
      return problem === undefined ? username : issue(problem);
    }
    case 'password': {
      if (value.length === 0) return issue('Enter your password');
      if (value.length > MAX_PASSWORD_LENGTH) return issue('Password is too long');
      return normalisePassword(value);
    }
    case 'newPassword': {
      if (value.length > MAX_PASSWORD_LENGTH) return issue(`Password must be at most ${policy.maxLength} characters`);
      const password = normalisePassword(value);
      const problems = passwordProblems(password, policy);
      for (const message of problems) issue(message);
      return problems.length === 0 ? password : undefined;
    }
    case 'code':
      return CODE.test(value) ? value : issue('Enter the 6-digit code');
  }
}

function validate(value: unknown, policy: ResolvedPasswordPolicy): StandardSchemaV1.Result<SetAuthStateInput> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { issues: [{ message: 'Expected an object with an "action"' }] };
  }
  const input = value as Record<string, unknown>;
  const { action } = input;
  if (!isAction(action)) {
    return { issues: [{ message: `Expected action to be one of: ${ACTIONS.join(', ')}`, path: ['action'] }] };
  }
  const rules = FIELDS[action];
  const issues: Issue[] = [];
  const output: Record<string, string> = { action };
  for (const [name, rule] of Object.entries(rules)) {
    if (input[name] === undefined && rule.optional) continue;
    const checked = checkField(name, rule, input[name], policy, issues);
    if (checked !== undefined) output[name] = checked;
  }
  for (const name of Object.keys(input)) {
    if (name !== 'action' && !Object.hasOwn(rules, name)) issues.push({ message: `Unexpected field for ${action}`, path: [name] });
  }
  return issues.length > 0 ? { issues } : { value: output as unknown as SetAuthStateInput };
}

function fieldJsonSchema(rule: FieldRule, policy: ResolvedPasswordPolicy): Record<string, unknown> {
  switch (rule.kind) {
    case 'username':
      return { type: 'string', minLength: 1, maxLength: MAX_RAW_USERNAME };
    case 'password':
      return { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH };
    case 'newPassword':
      return { type: 'string', minLength: policy.minLength, maxLength: policy.maxLength };
    case 'code':
      return { type: 'string', pattern: CODE.source };
  }
}

function jsonSchema(policy: ResolvedPasswordPolicy): Record<string, unknown> {
  // `enum` rather than `const`: valid in every target, OpenAPI 3.0 included.
  return {
    oneOf: ACTIONS.map((action) => {
      const rules = Object.entries(FIELDS[action]);
      return {
        type: 'object',
        properties: {
          action: { type: 'string', enum: [action] },
          ...Object.fromEntries(rules.map(([name, rule]) => [name, fieldJsonSchema(rule, policy)])),
        },
        required: ['action', ...rules.filter(([, rule]) => !rule.optional).map(([name]) => name)],
        additionalProperties: false,
      };
    }),
  };
}

export interface SetAuthStateSchema {
  readonly '~standard': StandardSchemaV1.Props<SetAuthStateInput> & StandardJSONSchemaV1.Props<SetAuthStateInput>;
}

export function setAuthStateSchema(policy: ResolvedPasswordPolicy): SetAuthStateSchema {
  const convert = (): Record<string, unknown> => jsonSchema(policy);
  return {
    '~standard': {
      version: 1,
      vendor: 'blocks-kit',
      validate: (value) => validate(value, policy),
      jsonSchema: { input: convert, output: convert },
    },
  };
}
