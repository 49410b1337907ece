/**
 * AppSetting inside the Lambda, against the real SSM client with its `send`
 * mocked (aws-sdk-client-mock): the commands sent, the minute-long cache,
 * error mapping, and a secret that never reaches a log.
 */
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServiceUnavailableError } from '../../core/errors.js';
import { Scope } from '../../core/scope.js';
import { httpApiEvent, lambdaContext } from '../../testing/http-api-event.js';
import { createLambdaHandler } from '../../transports/lambda.js';
import { RawRoute } from '../raw-route/index.aws.js';
import { AppSetting, MissingSettingError } from './index.aws.js';
import { SETTING_CACHE_MS } from './ssm-reader.js';

const ssm = mockClient(SSMClient);
const SECRET = 'whsec_a1b2c3d4e5f6-never-log-me';
const NAMES = {
  'aws-app/webhook-secret': '/aws-blocks/amplify-app-main-branch-abc/aws-app/webhook-secret',
  'aws-app/currency': '/aws-blocks/amplify-app-main-branch-abc/aws-app/currency',
  'aws-app/region': '/aws-blocks/amplify-app-main-branch-abc/aws-app/region',
};
const saved = process.env.BLOCKS_APP_SETTINGS;

let scope: Scope;
beforeEach(() => {
  ssm.reset();
  process.env.BLOCKS_APP_SETTINGS = JSON.stringify(NAMES);
  // A fresh scope per case: each AppSetting holds its own cache.
  scope = new Scope('aws-app');
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => {
  if (saved === undefined) delete process.env.BLOCKS_APP_SETTINGS;
  else process.env.BLOCKS_APP_SETTINGS = saved;
  ssm.restore();
});

const secureString = (value: string) => ({ Parameter: { Name: 'x', Type: 'SecureString' as const, Value: value } });
const string = (value: string) => ({ Parameter: { Name: 'x', Type: 'String' as const, Value: value } });

describe('AppSetting (aws-runtime)', () => {
  it('reads a secret with decryption and a plain setting without, by their bound names', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    ssm.on(GetParameterCommand, { Name: NAMES['aws-app/webhook-secret'] }).resolves(secureString(SECRET));
    ssm.on(GetParameterCommand, { Name: NAMES['aws-app/region'] }).resolves(string('eu-west-1'));
    expect(await new AppSetting(scope, 'webhook-secret', { secret: true }).get()).toBe(SECRET);
    expect(await new AppSetting(scope, 'region').get()).toBe('eu-west-1');
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toEqual([
      { Name: NAMES['aws-app/webhook-secret'], WithDecryption: true },
      { Name: NAMES['aws-app/region'], WithDecryption: false },
    ]);
  });

  it('reads each setting once per cache window, concurrent callers included, then again after it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    ssm.on(GetParameterCommand).resolves(string('EUR'));
    const setting = new AppSetting(scope, 'currency', { default: 'USD' });
    expect(await Promise.all([setting.get(), setting.get(), setting.get()])).toEqual(['EUR', 'EUR', 'EUR']);
    vi.advanceTimersByTime(SETTING_CACHE_MS - 1);
    expect(await setting.get()).toBe('EUR');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    ssm.on(GetParameterCommand).resolves(string('GBP'));
    vi.advanceTimersByTime(2);
    expect(await setting.get()).toBe('GBP');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('falls back to the default when the parameter does not exist, and caches that too', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const setting = new AppSetting(scope, 'currency', { default: 'USD' });
    expect(await setting.get()).toBe('USD');
    expect(await setting.get()).toBe('USD');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('fails a missing secret with the put-parameter command that sets it', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const error = await new AppSetting(scope, 'webhook-secret', { secret: true }).get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingSettingError);
    expect((error as Error).message).toContain(
      `aws ssm put-parameter --name "${NAMES['aws-app/webhook-secret']}" --type SecureString --value '<value>' --overwrite`,
    );
  });

  it('maps throttling to a 503 the client may retry, and does not cache the failure', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    ssm.on(GetParameterCommand).rejectsOnce(throttled).resolves(string('eu-west-1'));
    const setting = new AppSetting(scope, 'region');
    const error = await setting.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ status: 503, cause: throttled });
    expect(await setting.get()).toBe('eu-west-1');
  });

  it('passes other SDK failures on as server faults, and refuses a secret stored as plain String', async () => {
    const denied = Object.assign(new Error('not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    ssm.on(GetParameterCommand, { Name: NAMES['aws-app/region'] }).rejects(denied);
    ssm.on(GetParameterCommand, { Name: NAMES['aws-app/webhook-secret'] }).resolves(string(SECRET));
    await expect(new AppSetting(scope, 'region').get()).rejects.toBe(denied);
    const plain = (await new AppSetting(scope, 'webhook-secret', { secret: true }).get().then(() => new Error('no error'), (e: unknown) => e)) as Error;
    expect(plain.message).toMatch(/is a secret, but .* is a String parameter; store it as a SecureString/);
    expect(plain.message).not.toContain(SECRET);
  });

  it('fails clearly when the function has no binding for the setting', async () => {
    await expect(new AppSetting(new Scope('other-app'), 'missing').get()).rejects.toThrow(/AppSetting "other-app\/missing" has no SSM parameter name/);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('never writes the secret to a log, whatever the route using it does', async () => {
    ssm.on(GetParameterCommand).resolves(secureString(SECRET));
    const setting = new AppSetting(scope, 'webhook-secret', { secret: true });
    new RawRoute(scope, 'fails', {
      method: 'POST',
      path: '/fails',
      handler: async () => {
        const value = await setting.get();
        throw new Error(`handler bug after reading a ${value.length}-character secret`);
      },
    });
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map((arg) => (arg instanceof Error ? `${arg.stack} ${JSON.stringify(arg)}` : String(arg))).join(' '));
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level).mockImplementation(capture));
    try {
      const handler = createLambdaHandler({ scope });
      const result = await handler(httpApiEvent({ method: 'POST', path: '/aws-blocks/raw/fails', body: 'x' }), lambdaContext());
      expect(result.statusCode).toBe(500);
      expect(result.body).not.toContain(SECRET);
      console.log('setting:', setting, JSON.stringify(setting));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(lines.join('\n')).toContain(`handler bug after reading a ${SECRET.length}-character secret`);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});
