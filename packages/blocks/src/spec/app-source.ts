/**
 * The app module as the TypeScript compiler sees it: each exported
 * ApiNamespace's methods with their signatures and the code that implements
 * them. Result types, and parameter types without a validator, come from here.
 */
import path from 'node:path';
import ts from 'typescript';
import { docsOf } from './ts-schema.js';

export interface SourceMethod {
  readonly signature: ts.Signature;
  /** The property or method declaration in the factory's object literal. */
  readonly declaration: ts.Declaration;
  readonly description: string | undefined;
}

export interface AppSource {
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
  /** Export name → method name → method. */
  readonly namespaces: ReadonlyMap<string, ReadonlyMap<string, SourceMethod>>;
  /** True for code under the app's directory: the only code whose bodies are read and whose types get names. */
  readonly isOwn: (node: ts.Node) => boolean;
}

export class SpecSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecSourceError';
  }
}

export function loadAppSource(appFile: string): AppSource {
  const program = ts.createProgram({ rootNames: [appFile], options: compilerOptionsFor(appFile) });
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(appFile);
  const moduleSymbol = sourceFile && checker.getSymbolAtLocation(sourceFile);
  if (!sourceFile || !moduleSymbol) throw new SpecSourceError(`Cannot read ${appFile} as a TypeScript module`);
  const appDir = path.dirname(path.resolve(appFile)) + path.sep;
  const isOwn = (node: ts.Node): boolean => {
    const file = path.resolve(node.getSourceFile().fileName);
    return file.startsWith(appDir) && !file.includes(`${path.sep}node_modules${path.sep}`);
  };

  const namespaces = new Map<string, Map<string, SourceMethod>>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    // `export { notes as api }` is an alias; its type is the aliased variable's.
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const methods = methodsOf(checker, checker.getTypeOfSymbolAtLocation(target, sourceFile), sourceFile);
    if (methods) namespaces.set(exported.name, methods);
  }
  return { checker, sourceFile, namespaces, isOwn };
}

/** The methods type `M` of an `ApiNamespace<M>`, read from `methodsFor`'s return type. */
function methodsOf(checker: ts.TypeChecker, type: ts.Type, site: ts.Node): Map<string, SourceMethod> | undefined {
  const methodsFor = type.getProperty('methodsFor');
  if (!type.getProperty('scope') || !methodsFor) return undefined;
  const factory = checker.getSignaturesOfType(checker.getTypeOfSymbolAtLocation(methodsFor, site), ts.SignatureKind.Call)[0];
  if (!factory) return undefined;
  const methods = new Map<string, SourceMethod>();
  for (const property of checker.getPropertiesOfType(factory.getReturnType())) {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const propertyType = checker.getTypeOfSymbolAtLocation(property, site);
    const signatures = checker.getSignaturesOfType(propertyType, ts.SignatureKind.Call);
    const signature = signatures[0];
    if (!declaration || !signature) continue;
    if (signatures.length > 1) {
      throw new SpecSourceError(`${property.name}: overloaded methods cannot be described; declare one signature`);
    }
    methods.set(property.name, {
      signature,
      declaration,
      description: docsOf(property.getDocumentationComment(checker)),
    });
  }
  return methods;
}

/** The compiler options of the nearest tsconfig.json, so types resolve as they do for `tsc`. */
function compilerOptionsFor(appFile: string): ts.CompilerOptions {
  const configPath = ts.findConfigFile(path.dirname(appFile), ts.sys.fileExists);
  const fallback: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    noEmit: true,
  };
  if (!configPath) return fallback;
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new SpecSourceError(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  return { ...fallback, ...parsed?.options, noEmit: true };
}
