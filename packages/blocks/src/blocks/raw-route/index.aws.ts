/**
 * RawRoute under the `aws-runtime` condition: the Lambda transport serves it
 * through the same router as the dev server, so it is the local class.
 */
import { DeclaredRawRoute } from './declared-route.js';

export * from './public.js';

export class RawRoute extends DeclaredRawRoute {}
