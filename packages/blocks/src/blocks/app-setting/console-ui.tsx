/** AppSetting's panel in the console page (server side: console.ts): where the value comes from, secrets masked, set a new value. */
import { useCallback, useEffect, useState } from 'react';
import { callAction, ErrorNote, useBusy, type ConsolePanelUi, type SectionInfo } from '../../dev/console/ui/kit';

interface Current {
  readonly source: 'env' | 'file' | 'default' | 'unset';
  readonly isSet: boolean;
  readonly value: string | null;
}

const SOURCE: Record<Current['source'], string> = {
  env: 'from an environment variable (it wins over a value set here)',
  file: 'from .blocks-data/settings.json',
  default: 'the default in the code',
  unset: 'not set',
};

function SettingPanel({ section }: { readonly section: SectionInfo }) {
  const secret = section.info.secret === true;
  const [current, setCurrent] = useState<Current | null>(null);
  const [value, setValue] = useState('');
  const { busy, error, run } = useBusy();
  const load = useCallback(() => run(async () => setCurrent(await callAction<Current>(section, 'get'))), [run, section]);
  useEffect(() => {
    void load();
  }, [load]);
  const id = `setting-${section.key.replace(/[^A-Za-z0-9-]/g, '-')}`;

  return (
    <div className="setting">
      {current && (
        <p>
          {secret ? <span className="badge warn">secret</span> : null}{' '}
          {current.isSet ? (secret ? <code>••••••••</code> : <code>{current.value}</code>) : <em>no value</em>} <span className="meta">{SOURCE[current.source]}</span>
        </p>
      )}
      <ErrorNote text={error} />
      <form
        className="inline-form small"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            await callAction(section, 'set', { value });
            setValue('');
            setCurrent(await callAction<Current>(section, 'get'));
          });
        }}
      >
        <label htmlFor={id}>New value</label>
        <input id={id} type={secret ? 'password' : 'text'} value={value} onChange={(event) => setValue(event.target.value)} autoComplete="off" required />
        <button type="submit" className="button secondary" disabled={busy}>
          Set
        </button>
      </form>
    </div>
  );
}

export const panel: ConsolePanelUi = { id: 'app-setting', Panel: SettingPanel };
