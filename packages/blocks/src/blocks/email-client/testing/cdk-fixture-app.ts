// An app module with two EmailClients (one granted its address, one its domain), for the CDK test;
// the test resolves blocks-kit to its cdk variants.
import { ApiNamespace, EmailClient, Scope } from 'blocks-kit';

const scope = new Scope('fixture-mail');
const alerts = new EmailClient(scope, 'alerts', { from: 'alerts@example.com' });
const news = new EmailClient(scope, 'news', { from: { address: 'news@mail.example.org', name: 'News' }, identity: 'mail.example.org' });

export const api = new ApiNamespace(scope, 'api', () => ({
  async ping(): Promise<string> {
    const [a, b] = await Promise.all([
      alerts.send({ to: 'ops@example.com', subject: 'ping', text: 'ping' }),
      news.send({ to: 'ops@example.com', subject: 'ping', text: 'ping' }),
    ]);
    return `${a.messageId} ${b.messageId}`;
  },
}));
