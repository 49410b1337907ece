import { getCurrentUser, signOut, type AuthUser } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { lazy, Suspense, useEffect, useState } from 'react';
import { consolePath, isLocalMode } from './amplify';
import { SignedIn, type Account } from './SignedIn';

// Loaded only when there is no session: a returning user never downloads it.
const SignInGate = lazy(() => import('./SignInGate').then((module) => ({ default: module.SignInGate })));

/**
 * `checking` renders nothing, so a signed-in user never sees the sign-in
 * form flash; `signed-out` hands over to the Authenticator for good (it runs
 * every later sign-in and sign-out itself, as it always did).
 */
type Session = { readonly state: 'checking' } | { readonly state: 'signed-in'; readonly account: Account } | { readonly state: 'signed-out' };

const accountOf = (user: AuthUser): Account => ({ email: user.signInDetails?.loginId ?? user.username, userId: user.userId });

export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });

  useEffect(() => {
    let active = true;
    // Reads the stored tokens (refreshing them if expired); throws when there is no session.
    getCurrentUser().then(
      (user) => active && setSession((current) => (current.state === 'checking' ? { state: 'signed-in', account: accountOf(user) } : current)),
      () => active && setSession({ state: 'signed-out' }),
    );
    return () => {
      active = false;
    };
  }, []);

  const signedIn = session.state === 'signed-in';
  useEffect(() => {
    if (!signedIn) return;
    // A refresh that fails (revoked or expired refresh token) ends the session, as the Authenticator would.
    return Hub.listen('auth', ({ payload }) => {
      if (payload.event === 'signedOut' || payload.event === 'tokenRefresh_failure') setSession({ state: 'signed-out' });
    });
  }, [signedIn]);

  const endSession = () => {
    void signOut().finally(() => setSession({ state: 'signed-out' }));
  };

  return (
    <main className="app">
      {session.state === 'signed-in' ? (
        <SignedIn account={session.account} onSignOut={endSession} />
      ) : session.state === 'signed-out' ? (
        <Suspense fallback={null}>
          <SignInGate />
        </Suspense>
      ) : null}
      {isLocalMode && (
        <p className="mode-note">
          Local mode: users, data and the API live on this dev server.{' '}
          {consolePath ? (
            <>
              Confirmation codes, data and every call are in the <a href={consolePath}>console</a> (and codes in its terminal).
            </>
          ) : (
            'Confirmation codes appear in its terminal.'
          )}
        </p>
      )}
    </main>
  );
}
