/**
 * EmailClient's panel in the local console (Outbox tab): the messages this
 * client "sent" locally, newest first, with the codes and links in them
 * picked out so a developer can act on them at once.
 */
import type { ConsoleSection } from '../../core/console-panel.js';
import { readEmailOutbox } from './outbox.js';

const MAX_MESSAGES = 200;
// Four to eight digits standing alone: sign-up and sign-in codes.
const CODE = /(?<![\d\w])\d{4,8}(?![\d\w])/g;
const LINK = /https?:\/\/[^\s"'<>]+/g;

function unique(matches: Iterable<RegExpMatchArray>): string[] {
  return [...new Set([...matches].map((match) => match[0]))].slice(0, 10);
}

export function emailClientConsole(block: { readonly scope: { readonly name: string }; readonly id: string }): ConsoleSection {
  return {
    ui: 'email-client',
    tab: 'Outbox',
    actions: {
      async list() {
        const messages = (await readEmailOutbox({ scope: block.scope.name, id: block.id })).reverse().slice(0, MAX_MESSAGES);
        return {
          messages: messages.map((message) => {
            const body = `${message.subject}\n${message.text ?? ''}\n${message.html ?? ''}`;
            return {
              messageId: message.messageId,
              sentAt: message.sentAt,
              from: message.from,
              to: message.to,
              subject: message.subject,
              text: message.text ?? null,
              html: message.html ?? null,
              codes: unique(body.matchAll(CODE)),
              links: unique(body.matchAll(LINK)),
            };
          }),
        };
      },
    },
  };
}
