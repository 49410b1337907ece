/**
 * Swift client for iOS/macOS apps: URLSession, Codable, async/await; no
 * dependencies. Targets Swift 5.7+ (iOS 15 / macOS 12 for `URLSession.data(for:)`).
 */
import { generatedHeader } from '../generated-files.js';
import { describeMethod, type ClientModel, type FieldModel, type MethodModel, type StructModel, type TypeRef } from './model.js';
import { commentLines, stringLiteral } from './naming.js';

const KEYWORDS = new Set(
  (
    'associatedtype class deinit enum extension fileprivate func import init inout internal let open operator ' +
    'private precedencegroup protocol public rethrows static struct subscript typealias var break case catch ' +
    'continue default defer do else fallthrough for guard if in repeat return throw switch where while Any as ' +
    'await false is nil self Self super throws true try some any Type Protocol'
  ).split(' '),
);

export function generateSwift(model: ClientModel): string {
  const out: string[] = [generatedHeader(), '//'];
  out.push(
    ...commentLines(
      `${model.title} ${model.version}: a typed client for the Blocks API (JSON-RPC 2.0 over HTTPS).\n\n` +
        'let client = BlocksClient(url: URL(string: blocksApiUrl)!) {  // custom.blocks_api_url\n' +
        '    let session = try await Amplify.Auth.fetchAuthSession()\n' +
        '    return try (session as? AuthCognitoTokensProvider)?.getCognitoTokens().get().idToken\n' +
        '}',
    ).map((line) => (line ? `// ${line}` : '//')),
  );
  out.push('', 'import Foundation', '#if canImport(FoundationNetworking)', 'import FoundationNetworking', '#endif', '');
  out.push(...runtime());
  const cyclic = cyclicStructs(model.structs);
  for (const struct of model.structs) out.push('', ...structDeclaration(struct, cyclic.has(struct.name)));
  out.push('', '// MARK: - Client', '', ...client(model));
  for (const namespace of model.namespaces) {
    out.push('', ...doc(`The \`${namespace.jsonName}\` namespace.`, ''));
    out.push(`public struct ${namespace.typeName}: Sendable {`, '    let client: BlocksClient');
    for (const method of namespace.methods) out.push('', ...methodDeclaration(method));
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

function client(model: ClientModel): string[] {
  const out = [
    '/// Calls the Blocks API. One instance per app is enough; it is safe to share across tasks.',
    'public final class BlocksClient: Sendable {',
    '    /// Returns the Amplify ID token, or nil when signed out; sent as `Authorization: Bearer <token>`.',
    '    public typealias TokenProvider = @Sendable () async throws -> String?',
    '',
    '    /// Where `npm run blocks:dev` serves the API; use `custom.blocks_api_url` from amplify_outputs.json instead.',
    `    public static let defaultURL = URL(string: ${stringLiteral(model.defaultUrl, 'swift')})!`,
    '',
    '    public let url: URL',
    '    private let session: URLSession',
    '    private let tokenProvider: TokenProvider?',
    '    private let ids = RequestIds()',
    '',
    '    public init(url: URL = BlocksClient.defaultURL, session: URLSession = .shared, tokenProvider: TokenProvider? = nil) {',
    '        self.url = url',
    '        self.session = session',
    '        self.tokenProvider = tokenProvider',
    '    }',
  ];
  for (const namespace of model.namespaces) {
    out.push('', `    public var ${identifier(namespace.identifier)}: ${namespace.typeName} { ${namespace.typeName}(client: self) }`);
  }
  out.push(
    '',
    '    func call<Params: Encodable, Output: Decodable>(_ method: String, params: Params, as type: Output.Type) async throws -> Output {',
    '        var request = URLRequest(url: url)',
    '        request.httpMethod = "POST"',
    '        request.setValue("application/json", forHTTPHeaderField: "Content-Type")',
    '        request.setValue("application/json", forHTTPHeaderField: "Accept")',
    '        if let provider = tokenProvider, let token = try await provider(), !token.isEmpty {',
    '            request.setValue("Bearer \\(token)", forHTTPHeaderField: "Authorization")',
    '        }',
    '        request.httpBody = try JSONEncoder().encode(RequestEnvelope(id: ids.next(), method: method, params: params))',
    '        let (data, response) = try await session.data(for: request)',
    '        let status = (response as? HTTPURLResponse)?.statusCode ?? 0',
    '        let decoder = JSONDecoder()',
    '        guard let head = try? decoder.decode(ResponseHead.self, from: data) else {',
    '            throw BlocksApiError.unexpected(status: status, "the answer is not JSON-RPC")',
    '        }',
    '        if let error = head.error {',
    '            throw BlocksApiError(status: status, code: error.code, message: error.message, data: error.data)',
    '        }',
    '        guard (200..<300).contains(status), head.hasResult else {',
    '            throw BlocksApiError.unexpected(status: status, "the answer has no result")',
    '        }',
    '        do {',
    '            return try decoder.decode(ResultEnvelope<Output>.self, from: data).result',
    '        } catch {',
    '            throw BlocksApiError.unexpected(status: status, "the result does not match \\(Output.self): \\(error)")',
    '        }',
    '    }',
    '',
    ...SWIFT_UPLOAD,
    '}',
  );
  return out;
}

function runtime(): string[] {
  return [
    '// MARK: - Errors and JSON',
    '',
    '/// An error answer from the Blocks API.',
    'public struct BlocksApiError: Error, LocalizedError, Sendable {',
    '    /// HTTP status: 400 bad input, 401 sign-in needed, 403 not allowed, 404, 409 conflict, 5xx; the error class.',
    '    public let status: Int',
    '    /// JSON-RPC error code (e.g. -32602 invalid params, -32001 unauthorized); 0 when the answer was not JSON-RPC.',
    '    public let code: Int',
    '    public let message: String',
    '    /// `error.data` as sent: `{ status, name, details?, requestId? }`.',
    '    public let data: JSONValue?',
    '',
    '    public init(status: Int, code: Int, message: String, data: JSONValue?) {',
    '        self.status = status',
    '        self.code = code',
    '        self.message = message',
    '        self.data = data',
    '    }',
    '',
    "    /// The server's error class, e.g. `ConflictError`.",
    '    public var name: String? { data?["name"]?.stringValue }',
    '    /// What the Block attached, e.g. validation issues.',
    '    public var details: JSONValue? { data?["details"] }',
    '    /// Only on server errors: quote it when reporting a bug.',
    '    public var requestId: String? { data?["requestId"]?.stringValue }',
    '    public var errorDescription: String? { message }',
    '',
    '    static func unexpected(status: Int, _ why: String) -> BlocksApiError {',
    '        BlocksApiError(status: status, code: 0, message: "Unexpected response from the Blocks API (HTTP \\(status)): \\(why)", data: nil)',
    '    }',
    '}',
    '',
    '/// Any JSON value: for untyped results and error details.',
    'public enum JSONValue: Codable, Hashable, Sendable {',
    '    case null',
    '    case bool(Bool)',
    '    case number(Double)',
    '    case string(String)',
    '    case array([JSONValue])',
    '    case object([String: JSONValue])',
    '',
    '    public init(from decoder: Decoder) throws {',
    '        let container = try decoder.singleValueContainer()',
    '        if container.decodeNil() {',
    '            self = .null',
    '        } else if let value = try? container.decode(Bool.self) {',
    '            self = .bool(value)',
    '        } else if let value = try? container.decode(Double.self) {',
    '            self = .number(value)',
    '        } else if let value = try? container.decode(String.self) {',
    '            self = .string(value)',
    '        } else if let value = try? container.decode([JSONValue].self) {',
    '            self = .array(value)',
    '        } else {',
    '            self = .object(try container.decode([String: JSONValue].self))',
    '        }',
    '    }',
    '',
    '    public func encode(to encoder: Encoder) throws {',
    '        var container = encoder.singleValueContainer()',
    '        switch self {',
    '        case .null: try container.encodeNil()',
    '        case .bool(let value): try container.encode(value)',
    '        case .number(let value): try container.encode(value)',
    '        case .string(let value): try container.encode(value)',
    '        case .array(let value): try container.encode(value)',
    '        case .object(let value): try container.encode(value)',
    '        }',
    '    }',
    '',
    '    public subscript(key: String) -> JSONValue? {',
    '        if case .object(let object) = self { return object[key] }',
    '        return nil',
    '    }',
    '',
    '    public var stringValue: String? {',
    '        if case .string(let value) = self { return value }',
    '        return nil',
    '    }',
    '}',
    '',
    'struct AnyEncodable: Encodable {',
    '    private let encodeValue: (Encoder) throws -> Void',
    '    init<Value: Encodable>(_ value: Value) { encodeValue = value.encode }',
    '    func encode(to encoder: Encoder) throws { try encodeValue(encoder) }',
    '}',
    '',
    'struct DynamicKey: CodingKey {',
    '    let stringValue: String',
    '    init(_ name: String) { stringValue = name }',
    '    init?(stringValue: String) { self.stringValue = stringValue }',
    '    var intValue: Int? { nil }',
    '    init?(intValue: Int) { return nil }',
    '}',
    '',
    '/// `params: { ... }`: absent optional values are left out.',
    'struct NamedParams: Encodable {',
    '    private var entries: [(String, AnyEncodable)] = []',
    '    mutating func add<Value: Encodable>(_ name: String, _ value: Value?, keepNull: Bool = false) {',
    '        if let value = value {',
    '            entries.append((name, AnyEncodable(value)))',
    '        } else if keepNull {',
    '            entries.append((name, AnyEncodable(JSONValue.null)))',
    '        }',
    '    }',
    '    func encode(to encoder: Encoder) throws {',
    '        var container = encoder.container(keyedBy: DynamicKey.self)',
    '        for (name, value) in entries { try container.encode(value, forKey: DynamicKey(name)) }',
    '    }',
    '}',
    '',
    '/// `params: [a, b]`: trailing absent arguments are left out, so the server applies its defaults.',
    'struct PositionalParams: Encodable {',
    '    private var values: [AnyEncodable?] = []',
    '    mutating func add<Value: Encodable>(_ value: Value?) {',
    '        values.append(value.map { AnyEncodable($0) })',
    '    }',
    '    func encode(to encoder: Encoder) throws {',
    '        var container = encoder.unkeyedContainer()',
    '        let count = (values.lastIndex(where: { $0 != nil }) ?? -1) + 1',
    '        for value in values.prefix(count) {',
    '            if let value = value { try container.encode(value) } else { try container.encodeNil() }',
    '        }',
    '    }',
    '}',
    '',
    'private struct RequestEnvelope<Params: Encodable>: Encodable {',
    '    let jsonrpc = "2.0"',
    '    let id: Int',
    '    let method: String',
    '    let params: Params',
    '}',
    '',
    'private struct ErrorBody: Decodable {',
    '    let code: Int',
    '    let message: String',
    '    let data: JSONValue?',
    '}',
    '',
    'private struct ResponseHead: Decodable {',
    '    let error: ErrorBody?',
    '    let hasResult: Bool',
    '    private enum CodingKeys: String, CodingKey { case error, result }',
    '    init(from decoder: Decoder) throws {',
    '        let container = try decoder.container(keyedBy: CodingKeys.self)',
    '        error = try container.decodeIfPresent(ErrorBody.self, forKey: .error)',
    '        hasResult = container.contains(.result)',
    '    }',
    '}',
    '',
    'private struct ResultEnvelope<Value: Decodable>: Decodable {',
    '    let result: Value',
    '}',
    '',
    'private final class RequestIds: @unchecked Sendable {',
    '    private let lock = NSLock()',
    '    private var last = 0',
    '    func next() -> Int {',
    '        lock.lock()',
    '        defer { lock.unlock() }',
    '        last += 1',
    '        return last',
    '    }',
    '}',
    '',
    '// MARK: - Types',
  ];
}

function structDeclaration(struct: StructModel, cyclic: boolean): string[] {
  // A struct cannot contain itself directly; a recursive record becomes a final class.
  const kind = cyclic ? 'final class' : 'struct';
  const out = [...doc(struct.description, ''), `public ${kind} ${struct.name}: Codable, Hashable, Sendable {`];
  for (const field of struct.fields) {
    out.push(...doc(field.description, '    '));
    out.push(`    public ${cyclic ? 'let' : 'var'} ${identifier(field.identifier)}: ${fieldType(field)}`);
  }
  const parameters = struct.fields.map(
    (field) => `${identifier(field.identifier)}: ${fieldType(field)}${isOptional(field) ? ' = nil' : ''}`,
  );
  out.push('', `    public init(${parameters.join(', ')}) {`);
  for (const field of struct.fields) {
    out.push(`        self.${identifier(field.identifier)} = ${identifier(field.identifier)}`);
  }
  if (cyclic) out.push(...classEquality(struct));
  out.push('    }', '', '    private enum CodingKeys: String, CodingKey {');
  for (const field of struct.fields) {
    out.push(`        case ${identifier(field.identifier)} = ${stringLiteral(field.jsonName, 'swift')}`);
  }
  out.push('    }', '}');
  return out;
}

/** Classes get no synthesized Hashable: compare by value, like the structs around them. */
function classEquality(struct: StructModel): string[] {
  const names = struct.fields.map((field) => identifier(field.identifier));
  return [
    '    }',
    '',
    `    public static func == (lhs: ${struct.name}, rhs: ${struct.name}) -> Bool {`,
    // One comparison per statement: a long `&&` chain can exceed Swift's type-checker budget.
    ...names.map((name) => `        guard lhs.${name} == rhs.${name} else { return false }`),
    '        return true',
    '    }',
    '',
    '    public func hash(into hasher: inout Hasher) {',
    ...names.map((name) => `        hasher.combine(${name})`),
  ];
}

function methodDeclaration(method: MethodModel): string[] {
  const parameters = method.params.map(
    (param) => `${identifier(param.identifier)}: ${fieldType(param)}${isOptional(param) ? ' = nil' : ''}`,
  );
  const result = method.result ? typeOf(method.result) : undefined;
  const out = [
    ...doc(methodDoc(method), '    '),
    `    public func ${identifier(method.identifier)}(${parameters.join(', ')}) async throws${result ? ` -> ${result}` : ''} {`,
  ];
  const named = method.paramStructure === 'by-name';
  out.push(`        ${method.params.length > 0 ? 'var' : 'let'} params = ${named ? 'NamedParams' : 'PositionalParams'}()`);
  for (const param of method.params) {
    const value = identifier(param.identifier);
    if (named) {
      const keepNull = param.required && param.type.kind === 'nullable';
      out.push(`        params.add(${stringLiteral(param.jsonName, 'swift')}, ${value}${keepNull ? ', keepNull: true' : ''})`);
    } else {
      out.push(`        params.add(${value})`);
    }
  }
  const call = `client.call(${stringLiteral(method.rpcName, 'swift')}, params: params, as: ${result ?? 'JSONValue'}.self)`;
  out.push(result ? `        return try await ${call}` : `        _ = try await ${call}`, '    }');
  return out;
}

function methodDoc(method: MethodModel): string {
  return describeMethod(method, (http) => `Throws BlocksApiError; HTTP ${http} besides the protocol's.`);
}

/** Required and non-null: a plain type; anything that may be absent or null: an optional. */
function fieldType(field: FieldModel): string {
  const type = typeOf(field.type);
  return isOptional(field) && !type.endsWith('?') ? `${type}?` : type;
}

function isOptional(field: FieldModel): boolean {
  return !field.required || field.type.kind === 'nullable';
}

function typeOf(type: TypeRef): string {
  switch (type.kind) {
    case 'string':
      return 'String';
    case 'integer':
      return 'Int';
    case 'number':
      return 'Double';
    case 'boolean':
      return 'Bool';
    case 'json':
      return 'JSONValue';
    case 'struct':
      return type.name;
    case 'array':
      return `[${typeOf(type.items)}]`;
    case 'map':
      return `[String: ${typeOf(type.values)}]`;
    case 'nullable': {
      const inner = typeOf(type.inner);
      return inner.endsWith('?') ? inner : `${inner}?`;
    }
  }
}

/** Structs that reach themselves through plain or optional fields (arrays and dictionaries are indirect already). */
function cyclicStructs(structs: readonly StructModel[]): Set<string> {
  const direct = new Map<string, string[]>();
  const directTargets = (type: TypeRef): string[] =>
    type.kind === 'struct' ? [type.name] : type.kind === 'nullable' ? directTargets(type.inner) : [];
  for (const struct of structs) direct.set(struct.name, struct.fields.flatMap((field) => directTargets(field.type)));
  const cyclic = new Set<string>();
  for (const struct of structs) {
    const stack = [...(direct.get(struct.name) ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (next === struct.name) {
        cyclic.add(struct.name);
        break;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(direct.get(next) ?? []));
    }
  }
  return cyclic;
}

function identifier(name: string): string {
  return KEYWORDS.has(name) ? `\`${name}\`` : name;
}

function doc(text: string | undefined, indent: string): string[] {
  return commentLines(text).map((line) => (line ? `${indent}/// ${line}` : `${indent}///`));
}

/** Every client can upload to a FileBucket's presigned POST, whatever the app's methods are called. */
const SWIFT_UPLOAD = String.raw`    /// Uploads file to a FileBucket's presigned POST (url and fields from an upload-URL method): straight to
    /// storage, not through the API. A root-relative url (the local dev server's) resolves against the API URL.
    public func uploadToPresignedPost(url: String, fields: [String: String], file: Data, fileName: String = "file") async throws {
        guard let target = URL(string: url, relativeTo: self.url)?.absoluteURL else {
            throw BlocksApiError.unexpected(status: 0, "the upload URL is not a URL")
        }
        let boundary = "BlocksBoundary\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        let safeName = fileName.replacingOccurrences(of: "\"", with: "_")
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(safeName)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        // Last: storage ignores fields after the file.
        body.append(file)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await session.upload(for: request, from: body)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw BlocksApiError(status: status, code: 0, message: "Storage refused the upload (HTTP \(status)): \(String(decoding: data, as: UTF8.self))", data: nil)
        }
    }`.split('\n');
