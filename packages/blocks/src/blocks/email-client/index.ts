/**
 * EmailClient, local variant (the default condition): nothing leaves the
 * machine. Each message is a JSON file in `<data dir>/email-outbox/` plus
 * one line in the dev server's terminal, so sign-up codes can be read there
 * or with `readEmailOutbox`. Deployed, the same declaration sends with
 * Amazon SES (index.aws.ts, index.cdk.ts).
 */
import type { Scope } from '../../core/scope.js';
import { EmailClientBlock, type EmailClientOptions } from './email-client.js';
import { LocalOutbox } from './outbox.js';
import type { ConsoleBlock, ConsoleSection } from '../../core/console-panel.js';
import { emailClientConsole } from './console.js';

export * from './public.js';

export class EmailClient extends EmailClientBlock implements ConsoleBlock {
  constructor(scope: Scope, id: string, options: EmailClientOptions) {
    super(scope, id, options, { transport: (block) => new LocalOutbox(block.scope.name, block.id) });
  }

  /** Its panel in the local console (`/_blocks/`): the outbox. */
  consoleSection(): ConsoleSection {
    return emailClientConsole(this);
  }
}
