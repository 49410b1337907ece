/**
 * The local user pool: find users, see their status, groups and the codes
 * waiting for them, and act as an admin would in the Cognito console.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { consoleApi } from './api';
import { ErrorNote, formatTime, useBusy } from './kit';

interface PendingCode {
  readonly kind: string;
  readonly code: string;
  readonly destination: string;
  readonly expiresAt: string;
}

interface User {
  readonly sub: string;
  readonly email: string;
  readonly confirmed: boolean;
  readonly enabled: boolean;
  readonly groups: readonly string[];
  readonly createdAt: string;
  readonly pendingCodes: readonly PendingCode[];
}

const PURPOSE: Record<string, string> = {
  signUp: 'sign-up confirmation',
  forgotPassword: 'password reset',
  verifyEmail: 'email verification',
  signIn: 'sign-in',
};

export function UsersPanel() {
  const [users, setUsers] = useState<User[]>([]);
  const [search, setSearch] = useState('');
  const { busy, error, run } = useBusy();

  const load = useCallback(
    () => run(async () => setUsers((await consoleApi.post<{ users: User[] }>('users/list', { search })).users)),
    [run, search],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const act = (action: string, input: object) =>
    run(async () => {
      await consoleApi.post(`users/${action}`, input);
      setUsers((await consoleApi.post<{ users: User[] }>('users/list', { search })).users);
    });

  return (
    <div className="users">
      <div className="toolbar">
        <label>
          Search users
          <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="email, sub or group" />
        </label>
        <button type="button" className="button secondary" onClick={() => void load()} disabled={busy}>
          Refresh
        </button>
      </div>
      <ErrorNote text={error} />
      <CreateUser onCreate={(input) => act('create', input)} busy={busy} />
      {users.length === 0 ? (
        <p className="empty">No users{search ? ' match' : ' yet'}.</p>
      ) : (
        <ul className="cards" aria-label="Users">
          {users.map((user) => (
            <UserCard key={user.sub} user={user} busy={busy} act={act} />
          ))}
        </ul>
      )}
    </div>
  );
}

function CreateUser({ onCreate, busy }: { onCreate: (input: object) => Promise<void>; busy: boolean }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await onCreate({ email, password });
    setPassword('');
  };
  return (
    <details className="create">
      <summary>Create a user</summary>
      <form className="inline-form" onSubmit={(event) => void submit(event)}>
        <label>
          Email
          <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} autoComplete="off" />
        </label>
        <label>
          Password
          <input type="password" required value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="new-password" />
        </label>
        <button type="submit" className="button" disabled={busy}>
          Create confirmed user
        </button>
      </form>
    </details>
  );
}

function UserCard({ user, busy, act }: { user: User; busy: boolean; act: (action: string, input: object) => Promise<void> }) {
  const [group, setGroup] = useState('');
  const [password, setPassword] = useState('');
  const email = user.email;
  return (
    <li className="card" aria-label={email}>
      <div className="card-head">
        <strong className="user-email">{email}</strong>
        <span className={`badge ${user.confirmed ? 'ok' : 'warn'}`}>{user.confirmed ? 'confirmed' : 'unconfirmed'}</span>
        {!user.enabled && <span className="badge danger">disabled</span>}
      </div>
      <p className="meta">
        <span>sub {user.sub}</span>
        <span>created {formatTime(user.createdAt)}</span>
      </p>
      {user.pendingCodes.length > 0 && (
        <ul className="codes" aria-label={`Pending codes for ${email}`}>
          {user.pendingCodes.map((code) => (
            <li key={code.kind}>
              {PURPOSE[code.kind] ?? code.kind} code <code className="code">{code.code}</code>
              <span className="meta"> expires {formatTime(code.expiresAt)}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="groups">
        <span>Groups:</span>
        {user.groups.length === 0 && <span className="meta">none</span>}
        {user.groups.map((name) => (
          <span key={name} className="badge">
            {name}
            <button type="button" className="button link danger" aria-label={`Remove ${email} from ${name}`} disabled={busy} onClick={() => void act('removeGroup', { email, group: name })}>
              ×
            </button>
          </span>
        ))}
        <form
          className="inline-form small"
          onSubmit={(event) => {
            event.preventDefault();
            void act('addGroup', { email, group }).then(() => setGroup(''));
          }}
        >
          <label className="visually-hidden" htmlFor={`group-${user.sub}`}>
            Group to add {email} to
          </label>
          <input id={`group-${user.sub}`} value={group} onChange={(event) => setGroup(event.target.value)} placeholder="admins" required />
          <button type="submit" className="button secondary" disabled={busy}>
            Add to group
          </button>
        </form>
      </div>
      <div className="actions wrap">
        {!user.confirmed && (
          <button type="button" className="button" disabled={busy} onClick={() => void act('confirm', { email })}>
            Confirm
          </button>
        )}
        <button type="button" className="button secondary" disabled={busy} onClick={() => void act(user.enabled ? 'disable' : 'enable', { email })}>
          {user.enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          className="button danger"
          disabled={busy}
          aria-label={`Delete ${email}`}
          onClick={() => {
            if (window.confirm(`Delete ${email}? Their sign-in ends on their next call.`)) void act('delete', { email });
          }}
        >
          Delete
        </button>
      </div>
      <form
        className="inline-form small"
        onSubmit={(event) => {
          event.preventDefault();
          void act('setPassword', { email, password }).then(() => setPassword(''));
        }}
      >
        <label htmlFor={`password-${user.sub}`}>New password for {email}</label>
        <input id={`password-${user.sub}`} type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="new-password" required />
        <button type="submit" className="button secondary" disabled={busy}>
          Set password
        </button>
      </form>
    </li>
  );
}
