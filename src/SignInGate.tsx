/**
 * The sign-in, sign-up and confirmation screens: Amplify's Authenticator
 * and its stylesheet, in a chunk of their own that only a visitor without a
 * session downloads (about two thirds of the page's bytes).
 */
import { Authenticator } from '@aws-amplify/ui-react';
import '@aws-amplify/ui-react/styles.css';
import { SignedIn } from './SignedIn';

export function SignInGate() {
  return (
    // Sign-in name, sign-up fields, password rules, MFA and passwordless all come from
    // amplify_outputs (local ones follow amplify/auth/resource.ts), so no props here.
    <Authenticator>
      {({ signOut, user }) => (
        <SignedIn
          account={{ email: user?.signInDetails?.loginId ?? user?.username ?? '', userId: user?.userId ?? '' }}
          onSignOut={signOut}
        />
      )}
    </Authenticator>
  );
}
