import { describe, expect, it } from 'vitest';
import { setAuthStateSchema } from './input.js';
import { resolvePasswordPolicy } from './password-policy.js';

const schema = setAuthStateSchema(resolvePasswordPolicy({ minLength: 8, requireDigits: true, requireSymbols: true }));
const validate = (value: unknown) => schema['~standard'].validate(value) as Awaited<ReturnType<typeof schema['~standard']['validate']>>;

describe('setAuthState input', () => {
  it('normalises usernames and passwords as it validates', () => {
    expect(validate({ action: 'signIn', username: ' Ａlice@Example.com ', password: 'ｐass１' })).toEqual({
      value: { action: 'signIn', username: 'ａlice@example.com', password: 'pass1' },
    });
    expect(validate({ action: 'signUp', username: 'e\u0301', password: 'pa$$word 1' })).toEqual({
      value: { action: 'signUp', username: '\u00e9', password: 'pa$$word 1' },
    });
    expect(validate({ action: 'signOut' })).toEqual({ value: { action: 'signOut' } });
    expect(validate({ action: 'confirmSignUp', username: 'a', code: '012345' })).toEqual({
      value: { action: 'confirmSignUp', username: 'a', code: '012345' },
    });
  });

  it('reports each problem with its path', () => {
    expect(validate(null)).toEqual({ issues: [{ message: 'Expected an object with an "action"' }] });
    expect(validate({ action: 'signUp', username: 'x\uD800', password: 'nodigits' })).toEqual({
      issues: [
        { path: ['username'], message: 'Usernames must be valid Unicode text' },
        { path: ['password'], message: 'Password must contain a digit' },
        { path: ['password'], message: 'Password must contain a symbol' },
      ],
    });
    expect(validate({ action: 'signOut', username: 'a' })).toEqual({ issues: [{ path: ['username'], message: 'Unexpected field for signOut' }] });
    expect(validate({ action: 'signIn', username: 'a'.repeat(129), password: 'x' })).toEqual({
      issues: [{ path: ['username'], message: 'Usernames are at most 128 characters' }],
    });
    expect(validate({ action: '__proto__' })).toMatchObject({ issues: [{ path: ['action'] }] });
  });

  it('describes itself as JSON Schema', () => {
    const json = schema['~standard'].jsonSchema.input({ target: 'draft-2020-12' }) as { oneOf: { properties: { action: { enum: string[] } }; required: string[] }[] };
    expect(json.oneOf.map((variant) => variant.properties.action.enum[0])).toEqual([
      'signUp',
      'signIn',
      'signOut',
      'confirmSignUp',
      'resendCode',
      'forgotPassword',
      'confirmForgotPassword',
    ]);
    expect(json.oneOf[3]).toMatchObject({ required: ['action', 'username', 'code'], additionalProperties: false });
    expect(json.oneOf[0]).toMatchObject({ properties: { password: { minLength: 8, maxLength: 256 } } });
  });
});
