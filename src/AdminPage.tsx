import { useEffect, useState } from 'react';
import { blocks } from './blocks';
import { errorMessage } from './error-message';

type Overview = Awaited<ReturnType<typeof blocks.admin.overview>>;

export function AdminPage() {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    blocks.admin
      .overview()
      .then((result) => active && setOverview(result))
      .catch((caught: unknown) => active && setError(errorMessage(caught)));
    return () => {
      active = false;
    };
  }, []);

  return (
    <section className="page" aria-labelledby="admin-heading">
      <h2 id="admin-heading">Admin</h2>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : overview ? (
        <dl className="stats">
          <dt>Notes in sample</dt>
          <dd>{overview.sampleSize}</dd>
          <dt>Newest note</dt>
          <dd>{overview.newestNoteAt ? new Date(overview.newestNoteAt).toLocaleString() : 'none yet'}</dd>
        </dl>
      ) : (
        <p role="status">Loading…</p>
      )}
    </section>
  );
}
