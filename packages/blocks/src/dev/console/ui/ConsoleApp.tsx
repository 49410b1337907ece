/**
 * The console's shell: a tab per area (Requests, Users, then the tabs the
 * Blocks' sections name), chosen by the URL hash so every tab has a link.
 */
import { useEffect, useMemo, useState } from 'react';
import { consoleApi, errorText } from './api';
import { ErrorNote, type SectionInfo } from './kit';
import { panelsById } from './panels';
import { RequestsPanel } from './RequestsPanel';
import { UsersPanel } from './UsersPanel';

interface Sections {
  readonly users: boolean;
  readonly sections: readonly SectionInfo[];
}

function useHash(): string {
  const [hash, setHash] = useState(() => decodeURIComponent(window.location.hash.replace(/^#\/?/, '')));
  useEffect(() => {
    const onChange = () => setHash(decodeURIComponent(window.location.hash.replace(/^#\/?/, '')));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

export function ConsoleApp() {
  const [data, setData] = useState<Sections | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hash = useHash();

  useEffect(() => {
    consoleApi.get<Sections>('sections').then(setData, (caught: unknown) => setError(errorText(caught)));
  }, []);

  const tabs = useMemo(() => {
    const names = ['Requests', ...(data?.users ? ['Users'] : [])];
    for (const section of data?.sections ?? []) if (!names.includes(section.tab)) names.push(section.tab);
    return names;
  }, [data]);
  const current = tabs.find((tab) => tab.toLowerCase() === hash.toLowerCase()) ?? 'Requests';

  return (
    <div className="console">
      <header className="topbar">
        <h1 className="brand">Blocks console</h1>
        <a className="back" href="/">
          Back to the app
        </a>
      </header>
      <nav className="tabs" aria-label="Console sections">
        {tabs.map((tab) => (
          <a key={tab} href={`#/${tab.toLowerCase()}`} aria-current={tab === current ? 'page' : undefined}>
            {tab}
          </a>
        ))}
      </nav>
      <ErrorNote text={error} />
      <main className="page" aria-labelledby="panel-heading">
        <h2 id="panel-heading">{current}</h2>
        {current === 'Requests' && <RequestsPanel />}
        {current === 'Users' && <UsersPanel />}
        {(data?.sections ?? [])
          .filter((section) => section.tab === current)
          .map((section) => {
            const ui = panelsById.get(section.ui);
            return (
              <section key={section.key} className="block-section" aria-label={`${section.kind} ${section.key}`}>
                <h3>
                  {section.kind} <code>{section.key}</code>
                </h3>
                {ui ? <ui.Panel section={section} /> : <p className="empty">No console UI for “{section.ui}”.</p>}
              </section>
            );
          })}
      </main>
      <p className="mode-note">Local mode only. Served by the dev server to this machine; never part of a build or a deployment.</p>
    </div>
  );
}
