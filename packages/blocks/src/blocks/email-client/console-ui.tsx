/** EmailClient's panel in the console page (server side: console.ts): the local outbox with codes and links picked out. */
import { useCallback, useEffect, useState } from 'react';
import { callAction, ErrorNote, formatTime, useBusy, type ConsolePanelUi, type SectionInfo } from '../../dev/console/ui/kit';

interface Address {
  readonly address: string;
  readonly name?: string;
}

interface Message {
  readonly messageId: string;
  readonly sentAt: string;
  readonly from: Address;
  readonly to: readonly Address[];
  readonly subject: string;
  readonly text: string | null;
  readonly codes: readonly string[];
  readonly links: readonly string[];
}

function OutboxPanel({ section }: { readonly section: SectionInfo }) {
  const [messages, setMessages] = useState<Message[]>([]);
  const { busy, error, run } = useBusy();
  const load = useCallback(() => run(async () => setMessages((await callAction<{ messages: Message[] }>(section, 'list')).messages)), [run, section]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div>
      <div className="toolbar">
        <button type="button" className="button secondary" disabled={busy} onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <ErrorNote text={error} />
      {messages.length === 0 ? (
        <p className="empty">Nothing sent yet. Locally, messages land here instead of leaving the machine.</p>
      ) : (
        <ul className="cards" aria-label={`Outbox of ${section.key}`}>
          {messages.map((message) => (
            <li key={message.messageId} className="card">
              <div className="card-head">
                <strong>{message.subject}</strong>
                <span className="meta">{formatTime(message.sentAt)}</span>
              </div>
              <p className="meta">
                <span>to {message.to.map((to) => to.address).join(', ')}</span>
                <span>from {message.from.address}</span>
              </p>
              {message.codes.length > 0 && (
                <p>
                  Codes:{' '}
                  {message.codes.map((code) => (
                    <code key={code} className="code">
                      {code}
                    </code>
                  ))}
                </p>
              )}
              {message.links.length > 0 && (
                <ul className="links">
                  {message.links.map((link) => (
                    <li key={link}>
                      <a href={link} target="_blank" rel="noreferrer noopener">
                        {link}
                      </a>
                    </li>
                  ))}
                </ul>
              )}
              {message.text && (
                <details>
                  <summary>Text</summary>
                  <pre className="json">{message.text}</pre>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export const panel: ConsolePanelUi = { id: 'email-client', Panel: OutboxPanel };
