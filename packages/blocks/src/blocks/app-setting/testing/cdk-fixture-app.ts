// An app module with AppSettings of every sort, for the CDK test; the test resolves blocks-kit to its cdk variants.
import { ApiNamespace, AppSetting, Scope } from 'blocks-kit';

const scope = new Scope('fixture-settings');
const webhookSecret = new AppSetting(scope, 'webhook-secret', { secret: true });
const currency = new AppSetting(scope, 'currency', { default: 'EUR' });
const region = new AppSetting(scope, 'region');

export const api = new ApiNamespace(scope, 'api', () => ({
  async settings(): Promise<{ currency: string; region: string; secretLength: number }> {
    return { currency: await currency.get(), region: await region.get(), secretLength: (await webhookSecret.get()).length };
  },
}));
