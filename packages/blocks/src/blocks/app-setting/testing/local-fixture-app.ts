// An app module declaring AppSettings of every sort, for the CLI test.
import { ApiNamespace, AppSetting, Scope } from 'blocks-kit';

const scope = new Scope('cli-app');
const currency = new AppSetting(scope, 'currency', { default: 'EUR' });
new AppSetting(scope, 'region');
new AppSetting(scope, 'stripe-key', { secret: true });
new AppSetting(scope, 'webhook-secret', { secret: true });

export const api = new ApiNamespace(scope, 'api', () => ({ currency: () => currency.get() }));
