/**
 * A browser flow for the AuthBasic example (aws-blocks/examples/auth-basic.ts):
 * sign up, confirm with the emailed code, sign in, sign out and reset a
 * forgotten password. The session is the HttpOnly cookie AuthBasic sets, so
 * this page stores nothing; on load it asks the server who is signed in.
 */
import { isApiError } from 'blocks-kit/client';
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { createAuthExampleClient } from '../../aws-blocks/examples/auth-basic-client';

const client = createAuthExampleClient(new URL('/aws-blocks/api', window.location.origin).href);

type Profile = { username: string; createdAt: string };
type View =
  | { name: 'loading' }
  | { name: 'signIn'; email?: string }
  | { name: 'signUp' }
  | { name: 'confirm'; email: string; password?: string }
  | { name: 'forgot'; email?: string }
  | { name: 'reset'; email: string }
  | { name: 'profile'; profile: Profile };

/** A sentence a person can act on; AuthBasic's own messages never say whether an account exists. */
function messageFor(error: unknown): string {
  if (!isApiError(error)) return error instanceof TypeError ? 'Cannot reach the server. Try again.' : 'Something went wrong. Try again.';
  const issues = (error.data as { issues?: { message: string }[] } | undefined)?.issues;
  if (error.status === 400 && Array.isArray(issues)) return `${issues.map((issue) => issue.message).join('. ')}.`;
  switch (error.name) {
    case 'TooManyAttemptsException':
      return `${error.message}.`; // "Too many attempts; try again in 15 minutes"
    case 'NotAuthorizedException':
      return 'Incorrect email or password.';
    case 'UsernameExistsException':
      return 'An account with this email already exists. Sign in instead.';
    case 'CodeMismatchException':
      return 'That code is wrong or has expired.';
    default:
      if (error.status >= 500) return 'The server could not do that just now. Try again shortly.';
      return error.message.endsWith('.') ? error.message : `${error.message}.`;
  }
}

const field = (form: HTMLFormElement, name: string): string => String(new FormData(form).get(name) ?? '');

export function AuthBasicExample() {
  const [view, setView] = useState<View>({ name: 'loading' });
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);

  const go = useCallback((next: View, message?: string) => {
    setError(undefined);
    setNotice(message);
    setView(next);
  }, []);

  const showProfile = useCallback(async () => {
    const profile = await client.api.getProfile();
    go({ name: 'profile', profile });
  }, [go]);

  useEffect(() => {
    client.authApi
      .getAuthState()
      .then((state) => (state.signedIn ? showProfile() : go({ name: 'signIn' })))
      .catch((reason: unknown) => {
        setView({ name: 'signIn' });
        setError(messageFor(reason));
      });
  }, [go, showProfile]);

  /** Runs one form's action with the button disabled, turning failures into the alert. */
  const submit = (action: (form: HTMLFormElement) => Promise<void>) => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action(event.currentTarget);
    } catch (reason) {
      if (isApiError(reason) && reason.name === 'UserNotConfirmedException') {
        const form = event.currentTarget;
        go({ name: 'confirm', email: field(form, 'email'), password: field(form, 'password') }, 'Enter the code we emailed you to finish signing up.');
      } else {
        setError(messageFor(reason));
      }
    } finally {
      setBusy(false);
    }
  };

  const signIn = submit(async (form) => {
    await client.authApi.setAuthState({ action: 'signIn', username: field(form, 'email'), password: field(form, 'password') });
    await showProfile();
  });

  const signUp = submit(async (form) => {
    const email = field(form, 'email');
    const password = field(form, 'password');
    const state = await client.authApi.setAuthState({ action: 'signUp', username: email, password });
    if (!state.signedIn && state.nextStep === 'confirmSignUp') go({ name: 'confirm', email, password }, `We emailed a code to ${email}.`);
    else go({ name: 'signIn', email }, 'Account created. Sign in.');
  });

  const confirm = (email: string, password: string | undefined) =>
    submit(async (form) => {
      const state = await client.authApi.setAuthState({ action: 'confirmSignUp', username: email, code: field(form, 'code'), ...(password && { password }) });
      if (state.signedIn) await showProfile();
      else go({ name: 'signIn', email }, 'Confirmed. Sign in.');
    });

  const resend = async (email: string) => {
    setBusy(true);
    try {
      await client.authApi.setAuthState({ action: 'resendCode', username: email });
      setError(undefined);
      setNotice(`We emailed a new code to ${email}.`);
    } catch (reason) {
      setError(messageFor(reason));
    } finally {
      setBusy(false);
    }
  };

  const forgot = submit(async (form) => {
    const email = field(form, 'email');
    await client.authApi.setAuthState({ action: 'forgotPassword', username: email });
    go({ name: 'reset', email }, `If ${email} has an account, we emailed it a code.`);
  });

  const reset = (email: string) =>
    submit(async (form) => {
      await client.authApi.setAuthState({ action: 'confirmForgotPassword', username: email, code: field(form, 'code'), newPassword: field(form, 'newPassword') });
      go({ name: 'signIn', email }, 'Password changed. Sign in with the new one.');
    });

  const signOut = async () => {
    setBusy(true);
    try {
      await client.authApi.setAuthState({ action: 'signOut' });
      go({ name: 'signIn' }, 'Signed out.');
    } catch (reason) {
      setError(messageFor(reason));
    } finally {
      setBusy(false);
    }
  };

  const link = (label: string, next: View) => (
    <button type="button" className="link" onClick={() => go(next)}>
      {label}
    </button>
  );

  let body: ReactNode;
  switch (view.name) {
    case 'loading':
      body = <p>Checking your session…</p>;
      break;
    case 'signIn':
      body = (
        <Card title="Sign in">
          <form onSubmit={signIn}>
            <EmailInput defaultValue={view.email} />
            <PasswordInput name="password" label="Password" autoComplete="current-password" />
            <Submit busy={busy}>Sign in</Submit>
          </form>
          <div className="links">
            {link('Create an account', { name: 'signUp' })}
            {link('Forgot password?', { name: 'forgot', ...(view.email && { email: view.email }) })}
          </div>
        </Card>
      );
      break;
    case 'signUp':
      body = (
        <Card title="Create an account">
          <form onSubmit={signUp}>
            <EmailInput />
            <PasswordInput name="password" label="Password" autoComplete="new-password" />
            <Submit busy={busy}>Create account</Submit>
          </form>
          <div className="links">{link('Back to sign in', { name: 'signIn' })}</div>
        </Card>
      );
      break;
    case 'confirm':
      body = (
        <Card title="Confirm your email">
          <form onSubmit={confirm(view.email, view.password)}>
            <CodeInput />
            <Submit busy={busy}>Confirm</Submit>
          </form>
          <div className="links">
            <button type="button" className="link" disabled={busy} onClick={() => void resend(view.email)}>
              Resend code
            </button>
            {link('Back to sign in', { name: 'signIn', email: view.email })}
          </div>
        </Card>
      );
      break;
    case 'forgot':
      body = (
        <Card title="Reset your password">
          <form onSubmit={forgot}>
            <EmailInput defaultValue={view.email} />
            <Submit busy={busy}>Send code</Submit>
          </form>
          <div className="links">{link('Back to sign in', { name: 'signIn' })}</div>
        </Card>
      );
      break;
    case 'reset':
      body = (
        <Card title="Choose a new password">
          <form onSubmit={reset(view.email)}>
            <CodeInput />
            <PasswordInput name="newPassword" label="New password" autoComplete="new-password" />
            <Submit busy={busy}>Set new password</Submit>
          </form>
          <div className="links">{link('Back to sign in', { name: 'signIn', email: view.email })}</div>
        </Card>
      );
      break;
    case 'profile':
      body = (
        <Card title="Signed in">
          <dl className="profile">
            <dt>Email</dt>
            <dd>{view.profile.username}</dd>
            <dt>Member since</dt>
            <dd>{new Date(view.profile.createdAt).toLocaleString()}</dd>
          </dl>
          <button type="button" className="primary" disabled={busy} onClick={() => void signOut()}>
            Sign out
          </button>
        </Card>
      );
      break;
  }

  return (
    <main className="shell">
      <h1>AuthBasic example</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && !error && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {body}
      <p className="hint">
        Local mode: codes are “emailed” to the outbox in <code>.blocks-data/email-outbox/</code> and shown in the dev server’s terminal.
      </p>
    </main>
  );
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby="card-title">
      <h2 id="card-title">{title}</h2>
      {children}
    </section>
  );
}

function EmailInput({ defaultValue }: { defaultValue?: string | undefined }) {
  return (
    <label>
      Email
      <input name="email" type="email" autoComplete="username" required defaultValue={defaultValue} />
    </label>
  );
}

function PasswordInput({ name, label, autoComplete }: { name: string; label: string; autoComplete: string }) {
  return (
    <label>
      {label}
      <input name={name} type="password" autoComplete={autoComplete} required />
    </label>
  );
}

function CodeInput() {
  return (
    <label>
      Code
      <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required />
    </label>
  );
}

function Submit({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="primary" disabled={busy}>
      {children}
    </button>
  );
}
