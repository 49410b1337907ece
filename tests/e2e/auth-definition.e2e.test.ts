/**
 * The sign-up form, the local pool and TOTP MFA follow a fork's own auth
 * definition (tests/fixtures/auth-mfa-app: a 12-character policy without
 * symbols, a required preferred username, a second group, optional TOTP), in
 * the real app in Chromium. TOTP is set up over the pool's Cognito API with a
 * code computed here, as an app's account page would, then the Authenticator
 * asks for it at sign-in.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../packages/blocks/src/local/user-pool/totp.js';
import { collectConsoleErrors, launchBrowser, projectRoot, screenshot, startDevServer, unexpectedErrors, type DevServer } from './harness';

const PASSWORD = 'Twelve-chars1';
let server: DevServer;
let browser: Browser;
/** The page of the running test, screenshotted at the end so a failure shows where it stopped. */
let lastPage: Page | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startDevServer({ env: { BLOCKS_AUTH_PROJECT: path.join(projectRoot, 'tests/fixtures/auth-mfa-app') } }),
    launchBrowser(),
  ]);
}, 240_000);

afterAll(async () => {
  if (lastPage) await screenshot(lastPage, 'fork-last').catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

/** One Cognito JSON-protocol call to the dev server's local pool: status and body. */
async function cognitoCall(target: string, body: Record<string, unknown>): Promise<{ ok: boolean; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/local-cognito/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  return { ok: response.ok, json: (await response.json()) as Record<string, unknown> };
}

async function cognito(target: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { ok, json } = await cognitoCall(target, body);
  if (!ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
  return json;
}

/** The local app client's id, from the outputs the page is served. */
async function clientId(): Promise<string> {
  const outputs = await (await fetch(`${server.url}/@id/__x00__virtual:amplify-outputs`)).text();
  const id = /"user_pool_client_id":"([^"]+)"/.exec(outputs)?.[1];
  if (!id) throw new Error(`no client id in ${outputs.slice(0, 200)}`);
  return id;
}

/** Turns on TOTP for a confirmed user and returns the shared secret. */
async function setUpTotp(email: string): Promise<string> {
  const signedIn = await cognito('InitiateAuth', {
    ClientId: await clientId(),
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: email, PASSWORD },
  });
  const AccessToken = (signedIn.AuthenticationResult as { AccessToken: string }).AccessToken;
  const { SecretCode } = (await cognito('AssociateSoftwareToken', { AccessToken })) as { SecretCode: string };
  await cognito('VerifySoftwareToken', { AccessToken, UserCode: totpCode(SecretCode, totpStep(Date.now())) });
  await cognito('SetUserMFAPreference', { AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
  return SecretCode;
}

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);
  await page.goto(server.url);
  return { page, errors };
}

describe('a fork’s auth definition in the browser, fully local', () => {
  it('is named at startup: the pool follows the definition', () => {
    expect(server.output()).toContain('local user pool follows amplify/auth/resource.ts');
  });

  it('asks for the extra field, refuses a short password, and asks for the TOTP code at sign-in', async () => {
    const email = `fork-${Date.now()}@example.com`;
    const { page, errors } = await newPage();
    page.setDefaultTimeout(20_000);
    lastPage = page;
    await page.getByRole('tab', { name: 'Create Account' }).click();
    await page.getByLabel('Preferred Username').waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Preferred Username').fill('ada');

    await page.getByLabel('Password', { exact: true }).fill('Short-pw1');
    await page.getByLabel('Confirm Password').fill('Short-pw1');
    await page.getByRole('button', { name: 'Create account with Password' }).click();
    await page.getByText('Password must have at least 12 characters').waitFor();
    await screenshot(page, 'fork-01-short-password');
    // The form checks the policy from the outputs; the pool checks it too, with Cognito's message.
    const direct = await cognitoCall('SignUp', {
      ClientId: await clientId(),
      Username: email,
      Password: 'Short-pw1',
      UserAttributes: [{ Name: 'preferred_username', Value: 'ada' }],
    });
    expect(direct.json).toEqual({
      __type: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
    });

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account with Password' }).click();
    await page.getByLabel('Confirmation Code').waitFor();
    await page.getByLabel('Confirmation Code').fill(await server.code(email));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'My notes' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    const secret = await setUpTotp(email);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // Passwordless is on too, so the Authenticator asks which way; the password goes through SRP.
    await page.getByRole('button', { name: 'Sign In with Password' }).waitFor();
    await screenshot(page, 'fork-02-choose-method');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign In with Password' }).click();
    const codeField = page.getByRole('textbox', { name: /^Code/ });
    await codeField.waitFor();
    await screenshot(page, 'fork-03-totp-code');

    // A code from far outside the accepted window fails with Cognito's message.
    await codeField.fill(totpCode(secret, totpStep(Date.now()) + 10));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Invalid verification code provided, please try again.').waitFor();

    // The next step's code: the current one was spent by the setup.
    await codeField.fill(totpCode(secret, totpStep(Date.now()) + 1));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'My notes' }).waitFor();
    await screenshot(page, 'fork-04-signed-in');
    expect(unexpectedErrors(errors)).toEqual([]);
  }, 120_000);
});
