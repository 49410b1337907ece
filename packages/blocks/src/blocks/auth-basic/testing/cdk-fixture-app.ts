// An app module with two AuthBasic Blocks, for the CDK test (the sample app has none); the test
// resolves blocks-kit to its cdk variants.
import { ApiNamespace, AuthBasic, KVStore, Scope } from 'blocks-kit';

const scope = new Scope('fixture-auth');
const auth = new AuthBasic(scope, 'auth', { passwordPolicy: { minLength: 8, requireDigits: true } });
const staff = new AuthBasic(scope, 'staff');
const notes = new KVStore<{ text: string }>(scope, 'notes');

export const api = new ApiNamespace(scope, 'api', (context) => ({
  async note(): Promise<string | null> {
    const user = await auth.requireAuth(context);
    return (await notes.get(user.username))?.value.text ?? null;
  },
}));
export const authApi = auth.createApi();
export const staffAuthApi = staff.createApi();
