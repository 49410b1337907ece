import { defineAuth } from '@aws-amplify/backend';

/** Email sign-in; members of `admins` may call the Blocks admin methods. */
export const auth = defineAuth({
  loginWith: { email: true },
  groups: ['admins'],
});
