import { lazy, Suspense } from 'react';
import { NotesPage } from './NotesPage';
import { useGroups } from './use-groups';
import { useHashRoute } from './use-hash-route';

// Only admins open it, so nobody else downloads it.
const AdminPage = lazy(() => import('./AdminPage').then((module) => ({ default: module.AdminPage })));

export interface Account {
  readonly email: string;
  readonly userId: string;
}

/** The signed-in layout: top bar and the page the hash names. */
export function SignedIn({ account, onSignOut }: { account: Account; onSignOut?: () => void }) {
  const route = useHashRoute();
  const isAdmin = useGroups(account.userId).includes('admins');
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
          <span className="email" title={account.email}>
            {account.email}
          </span>
          <button type="button" className="button secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {route === 'admin' ? (
        <Suspense fallback={<p role="status">Loading…</p>}>
          <AdminPage />
        </Suspense>
      ) : (
        <NotesPage key={account.userId} />
      )}
    </>
  );
}
