/**
 * RawRoute under the `cdk` condition: adds its path to the Blocks HTTP API,
 * integrated with the one API function (which serves it through the
 * router). Route patterns translate to API Gateway's: `:name` → `{name}`,
 * a last `*name` → `{name+}`. A GET route also gets HEAD, as the router
 * answers HEAD for GET locally.
 */
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { CloudBlock, ProvisionContext } from '../../cdk/provision.js';
import { DeclaredRawRoute } from './declared-route.js';

export * from './public.js';

/** `/aws-blocks/raw/files/:id/*rest` → `/aws-blocks/raw/files/{id}/{rest+}` */
function apiGatewayPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment.startsWith('*') ? `{${segment.slice(1)}+}` : segment))
    .join('/');
}

export class RawRoute extends DeclaredRawRoute implements CloudBlock {
  provision(context: ProvisionContext): void {
    const methods = new Set(this.methods.flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method])));
    context.api.addRoutes({
      path: apiGatewayPath(this.path),
      methods: [...methods].map((method) => HttpMethod[method as keyof typeof HttpMethod]),
      integration: new HttpLambdaIntegration(context.logicalId('RawRoute'), context.handler),
    });
  }
}
