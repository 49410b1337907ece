/**
 * What a method's code says about auth and errors, read statically: calls to
 * `requireAuth` / `requireGroup`, `new NotFoundError(…)` and friends, and
 * conditional KVStore writes (which throw ConflictError). Helper functions
 * declared in the app's own files are followed, so `const sub = await
 * currentUser(context)` counts as the `requireAuth` inside it.
 * It is a static over-approximation: a branch that never runs still counts.
 */
import ts from 'typescript';
import type { AuthRequirement } from './openrpc-types.js';

export interface MethodFacts {
  readonly auth: AuthRequirement;
  /** HTTP statuses the method's own code can produce (beyond the protocol's). */
  readonly statuses: ReadonlySet<number>;
}

/** The kit's error classes by name; each fixes the HTTP status. */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  BadRequestError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  PayloadTooLargeError: 413,
  ServiceUnavailableError: 503,
};

const CONDITIONAL_WRITE_OPTIONS = new Set(['ifNotExists', 'ifVersion']);

export function analyseMethod(
  checker: ts.TypeChecker,
  declaration: ts.Node,
  isOwn: (node: ts.Node) => boolean,
): MethodFacts {
  let signedIn = false;
  const groups = new Set<string>();
  const statuses = new Set<number>();
  const visited = new Set<ts.Node>();

  const resolve = (node: ts.Node): ts.Symbol | undefined => {
    const symbol = checker.getSymbolAtLocation(node);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  };

  const visit = (node: ts.Node): void => {
    if (visited.has(node)) return;
    visited.add(node);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      if (name === 'requireAuth') {
        signedIn = true;
        statuses.add(401);
      } else if (name === 'requireGroup') {
        signedIn = true;
        statuses.add(401).add(403);
        groups.add(groupName(checker, node.arguments[1]));
      } else if ((name === 'put' || name === 'delete') && isConditionalWrite(checker, node)) {
        statuses.add(409);
      }
    } else if (ts.isNewExpression(node)) {
      const status = constructedErrorStatus(resolve(node.expression)?.name, node);
      if (status !== undefined) statuses.add(status);
    } else if (ts.isIdentifier(node)) {
      // A reference to one of the app's own functions: read its body too.
      for (const target of ownFunctionBodies(resolve(node), isOwn)) visit(target);
    }
    ts.forEachChild(node, visit);
  };
  visit(declaration);

  const auth: AuthRequirement =
    groups.size > 0 ? `cognito:group:${[...groups].sort().join(',')}` : signedIn ? 'cognito' : 'none';
  return { auth, statuses };
}

function groupName(checker: ts.TypeChecker, argument: ts.Expression | undefined): string {
  if (!argument) return '*';
  const type = checker.getTypeAtLocation(argument);
  return type.isStringLiteral() ? type.value : '*';
}

function isConditionalWrite(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  const receiver = (call.expression as ts.PropertyAccessExpression).expression;
  if (checker.getTypeAtLocation(receiver).getSymbol()?.name !== 'KVStore') return false;
  return call.arguments.some(
    (argument) =>
      ts.isObjectLiteralExpression(argument) &&
      argument.properties.some(
        (property) => property.name !== undefined && CONDITIONAL_WRITE_OPTIONS.has(property.name.getText()),
      ),
  );
}

function constructedErrorStatus(className: string | undefined, node: ts.NewExpression): number | undefined {
  if (className === undefined) return undefined;
  const known = ERROR_STATUS[className];
  if (known !== undefined) return known;
  if (className === 'ApiError') {
    const status = node.arguments?.[1];
    if (status && ts.isNumericLiteral(status)) return Number(status.text);
  }
  return undefined;
}

function ownFunctionBodies(symbol: ts.Symbol | undefined, isOwn: (node: ts.Node) => boolean): ts.Node[] {
  const bodies: ts.Node[] = [];
  for (const declaration of symbol?.declarations ?? []) {
    if (!isOwn(declaration)) continue;
    if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) {
      if (declaration.body) bodies.push(declaration.body);
    } else if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
      const value = declaration.initializer;
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) bodies.push(value.body);
      // `const create = withInput(schema, async (input) => …)`: the handler sits inside the call.
      else if (ts.isCallExpression(value)) bodies.push(value);
    }
  }
  return bodies;
}
