/**
 * Stands in for `node:https` where third-party code in the Lambda bundle
 * imports it by its bare name (`https`): lambda-bundling.ts aliases that
 * name here. aws-jwt-verify's Node layer imports `request` from it
 * statically, which would load https (with tls, net and http: a few ms of a
 * cold start) when the bundle loads, although the kit never lets the library
 * fetch anything (it passes its own fetcher, auth/jwks-fetcher.ts) and a
 * deployed function starts with its key set in the environment.
 *
 * Each export loads the real module on its first call. Only what bundled
 * code imports is provided: an import of anything else fails the bundling
 * loudly (esbuild: "No matching export") rather than at run time.
 */
type Https = typeof import('node:https');

const https = (): Https => process.getBuiltinModule('node:https');

export const request = ((...args: unknown[]) => Reflect.apply(https().request, undefined, args)) as Https['request'];
export const get = ((...args: unknown[]) => Reflect.apply(https().get, undefined, args)) as Https['get'];
