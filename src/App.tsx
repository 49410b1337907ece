import { Authenticator } from '@aws-amplify/ui-react';
import { AdminPage } from './AdminPage';
import { consolePath, isLocalMode } from './amplify';
import { NotesPage } from './NotesPage';
import { useGroups } from './use-groups';
import { useHashRoute } from './use-hash-route';

export function App() {
  return (
    <main className="app">
      {/* Sign-in name, sign-up fields, password rules, MFA and passwordless all come from
          amplify_outputs (local ones follow amplify/auth/resource.ts), so no props here. */}
      <Authenticator>
        {({ signOut, user }) => <SignedIn email={user?.signInDetails?.loginId ?? user?.username ?? ''} userId={user?.userId ?? ''} onSignOut={signOut} />}
      </Authenticator>
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

function SignedIn({ email, userId, onSignOut }: { email: string; userId: string; onSignOut?: () => void }) {
  const route = useHashRoute();
  const isAdmin = useGroups(userId).includes('admins');
  return (
    <>
      <header className="topbar">
        <h1 className="brand">Notes</h1>
        <nav aria-label="Main">
          <a href="#/" aria-current={route === 'notes' ? 'page' : undefined}>
            My notes
          </a>
          {isAdmin && (
            <a href="#/admin" aria-current={route === 'admin' ? 'page' : undefined}>
              Admin
            </a>
          )}
        </nav>
        <div className="account">
          <span className="email" title={email}>
            {email}
          </span>
          <button type="button" className="button secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {route === 'admin' ? <AdminPage /> : <NotesPage key={userId} />}
    </>
  );
}
