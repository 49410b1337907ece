/** AuthBasic's users tab in the console page (server side: console.ts). */
import { useCallback, useEffect, useState } from 'react';
import { callAction, ErrorNote, formatTime, LoadMore, useBusy, type ConsolePanelUi, type SectionInfo } from '../../dev/console/ui/kit';

interface AccountRow {
  readonly username: string;
  readonly createdAt: string;
  readonly confirmed: boolean;
}

function AuthBasicUsersPanel({ section }: { readonly section: SectionInfo }) {
  const [users, setUsers] = useState<AccountRow[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const { busy, error, run } = useBusy();
  const load = useCallback(
    (more?: string) =>
      run(async () => {
        const page = await callAction<{ users: AccountRow[]; cursor?: string }>(section, 'list', more ? { cursor: more } : {});
        setUsers((current) => (more ? [...current, ...page.users] : page.users));
        setCursor(page.cursor);
      }),
    [run, section],
  );
  useEffect(() => {
    void load();
  }, [load]);
  const act = (action: string, username: string) =>
    run(async () => {
      await callAction(section, action, { username });
      const page = await callAction<{ users: AccountRow[]; cursor?: string }>(section, 'list');
      setUsers(page.users);
      setCursor(page.cursor);
    });

  return (
    <div>
      <ErrorNote text={error} />
      {users.length === 0 ? (
        <p className="empty">No accounts yet.</p>
      ) : (
        <ul className="cards" aria-label={`Accounts of ${section.key}`}>
          {users.map((user) => (
            <li key={user.username} className="card" aria-label={user.username}>
              <div className="card-head">
                <strong className="user-email">{user.username}</strong>
                <span className={`badge ${user.confirmed ? 'ok' : 'warn'}`}>{user.confirmed ? 'confirmed' : 'unconfirmed'}</span>
                <span className="meta">created {formatTime(user.createdAt)}</span>
              </div>
              <div className="actions wrap">
                {!user.confirmed && (
                  <button type="button" className="button" disabled={busy} onClick={() => void act('confirm', user.username)}>
                    Confirm
                  </button>
                )}
                <button type="button" className="button secondary" disabled={busy} onClick={() => void act('signOutEverywhere', user.username)}>
                  Sign out everywhere
                </button>
                <button
                  type="button"
                  className="button danger"
                  disabled={busy}
                  aria-label={`Delete ${user.username}`}
                  onClick={() => {
                    if (window.confirm(`Delete ${user.username}?`)) void act('delete', user.username);
                  }}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <LoadMore cursor={cursor} busy={busy} onLoad={(next) => void load(next)} />
    </div>
  );
}

export const panel: ConsolePanelUi = { id: 'auth-basic', Panel: AuthBasicUsersPanel };
