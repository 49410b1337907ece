/**
 * Dart client for Flutter: `package:http` (works on mobile, desktop and web),
 * null-safe Dart 3, plain classes with fromJson/toJson (no build_runner).
 */
import { generatedHeader } from '../generated-files.js';
import { describeMethod, type ClientModel, type FieldModel, type MethodModel, type StructModel, type TypeRef } from './model.js';
import { commentLines, stringLiteral } from './naming.js';

// Reserved words only: built-in identifiers such as `get`, `set` or `required`
// are valid member names. `await` and `yield` are kept out because the
// generated methods are async.
const KEYWORDS = new Set(
  (
    'assert await break case catch class const continue default do else enum extends false final finally for if ' +
    'in is new null rethrow return super switch this throw true try var void while with yield'
  ).split(' '),
);

export function generateDart(model: ClientModel): string {
  const out: string[] = [generatedHeader(), '//'];
  out.push(
    ...commentLines(
      `${model.title} ${model.version}: a typed client for the Blocks API (JSON-RPC 2.0 over HTTPS).\n` +
        'Needs package:http (`flutter pub add http`).\n\n' +
        'final client = BlocksClient(\n' +
        '  url: blocksApiUrl, // custom.blocks_api_url\n' +
        '  tokenProvider: () async {\n' +
        '    final session = await Amplify.Auth.fetchAuthSession() as CognitoAuthSession;\n' +
        '    return session.userPoolTokensResult.value.idToken.raw;\n' +
        '  },\n' +
        ');',
    ).map((line) => (line ? `// ${line}` : '//')),
  );
  out.push('', "import 'dart:convert';", '', "import 'package:http/http.dart' as http;", '');
  out.push(...runtime(), '', ...client(model));
  for (const struct of model.structs) out.push('', ...structDeclaration(struct));
  for (const namespace of model.namespaces) {
    out.push('', ...doc(`The \`${namespace.jsonName}\` namespace.`, ''));
    out.push(`class ${namespace.typeName} {`, `  ${namespace.typeName}._(this._client);`, '', '  final BlocksClient _client;');
    for (const method of namespace.methods) out.push('', ...methodDeclaration(method));
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

function client(model: ClientModel): string[] {
  const out = [
    '/// Returns the Amplify ID token, or null when signed out; sent as `Authorization: Bearer <token>`.',
    'typedef TokenProvider = Future<String?> Function();',
    '',
    '/// Calls the Blocks API. Call [close] when done if you did not pass your own [http.Client].',
    'class BlocksClient {',
    '  BlocksClient({this.url = defaultUrl, this.tokenProvider, http.Client? httpClient})',
    '      : _http = httpClient ?? http.Client();',
    '',
    '  /// Where `npm run blocks:dev` serves the API; use `custom.blocks_api_url` from amplify_outputs.json instead.',
    `  static const String defaultUrl = ${stringLiteral(model.defaultUrl, 'dart')};`,
    '',
    '  /// `custom.blocks_api_url` from amplify_outputs.json.',
    '  final String url;',
    '  final TokenProvider? tokenProvider;',
    '  final http.Client _http;',
    '  int _lastId = 0;',
  ];
  for (const namespace of model.namespaces) {
    out.push('', `  late final ${namespace.typeName} ${identifier(namespace.identifier)} = ${namespace.typeName}._(this);`);
  }
  out.push(
    '',
    '  void close() => _http.close();',
    '',
    '  Future<Object?> _call(String method, Object params) async {',
    "    final headers = <String, String>{'Content-Type': 'application/json', 'Accept': 'application/json'};",
    '    final token = await tokenProvider?.call();',
    "    if (token != null && token.isNotEmpty) headers['Authorization'] = 'Bearer $token';",
    "    final body = jsonEncode(<String, Object?>{'jsonrpc': '2.0', 'id': ++_lastId, 'method': method, 'params': params});",
    '    final response = await _http.post(Uri.parse(url), headers: headers, body: body);',
    '    final status = response.statusCode;',
    '    Object? envelope;',
    '    try {',
    '      envelope = jsonDecode(utf8.decode(response.bodyBytes));',
    '    } on FormatException {',
    "      throw BlocksApiException._unexpected(status, 'the answer is not JSON-RPC');",
    '    }',
    '    if (envelope is! Map<String, dynamic>) {',
    "      throw BlocksApiException._unexpected(status, 'the answer is not JSON-RPC');",
    '    }',
    "    final error = envelope['error'];",
    '    if (error is Map<String, dynamic>) {',
    "      final code = error['code'];",
    "      final message = error['message'];",
    '      throw BlocksApiException(',
    '        status,',
    '        code is int ? code : 0,',
    "        message is String ? message : 'HTTP $status',",
    "        error['data'],",
    '      );',
    '    }',
    "    if (status < 200 || status > 299 || !envelope.containsKey('result')) {",
    "      throw BlocksApiException._unexpected(status, 'the answer has no result');",
    '    }',
    "    return envelope['result'];",
    '  }',
    '',
    ...DART_UPLOAD,
    '}',
  );
  return out;
}

function runtime(): string[] {
  return [
    '/// An error answer from the Blocks API.',
    'class BlocksApiException implements Exception {',
    '  BlocksApiException(this.status, this.code, this.message, this.data);',
    '',
    '  BlocksApiException._unexpected(this.status, String why)',
    "      : code = 0,",
    "        message = 'Unexpected response from the Blocks API (HTTP $status): $why',",
    '        data = null;',
    '',
    '  /// HTTP status: 400 bad input, 401 sign-in needed, 403 not allowed, 404, 409 conflict, 5xx; the error class.',
    '  final int status;',
    '',
    '  /// JSON-RPC error code (e.g. -32602 invalid params, -32001 unauthorized); 0 when the answer was not JSON-RPC.',
    '  final int code;',
    '  final String message;',
    '',
    '  /// `error.data` as sent: `{status, name, details?, requestId?}`.',
    '  final Object? data;',
    '',
    "  /// The server's error class, e.g. `ConflictError`.",
    "  String? get errorName => _field('name') is String ? _field('name') as String : null;",
    '',
    '  /// What the Block attached, e.g. validation issues.',
    "  Object? get details => _field('details');",
    '',
    '  /// Only on server errors: quote it when reporting a bug.',
    "  String? get requestId => _field('requestId') is String ? _field('requestId') as String : null;",
    '',
    '  Object? _field(String key) {',
    '    final value = data;',
    '    return value is Map<String, dynamic> ? value[key] : null;',
    '  }',
    '',
    '  @override',
    "  String toString() => 'BlocksApiException($status, $code): $message';",
    '}',
    '',
    'T _as<T>(Object? value, String expected) {',
    '  if (value is T) return value;',
    "  throw BlocksApiException._unexpected(200, 'expected $expected, got ${value.runtimeType}');",
    '}',
    '',
    'R? _nullable<R>(Object? value, R Function(Object) decode) => value == null ? null : decode(value);',
    '',
    "/// `params: [a, b]`: trailing absent arguments are left out, so the server applies its defaults.",
    'List<Object?> _positional(List<Object?> values) {',
    '  var count = values.length;',
    '  while (count > 0 && values[count - 1] == null) {',
    '    count--;',
    '  }',
    '  return values.sublist(0, count);',
    '}',
  ];
}

function structDeclaration(struct: StructModel): string[] {
  const out = [...doc(struct.description, ''), `class ${struct.name} {`];
  const parameters = struct.fields.map((field) => `${isOptional(field) ? '' : 'required '}this.${identifier(field.identifier)}`);
  out.push(`  const ${struct.name}({${parameters.join(', ')}});`, '');
  out.push(`  factory ${struct.name}.fromJson(Map<String, dynamic> json) => ${struct.name}(`);
  for (const field of struct.fields) {
    out.push(`        ${identifier(field.identifier)}: ${decodeField(field, `json[${stringLiteral(field.jsonName, 'dart')}]`)},`);
  }
  out.push('      );');
  for (const field of struct.fields) {
    out.push('', ...doc(field.description, '  '), `  final ${fieldType(field)} ${identifier(field.identifier)};`);
  }
  out.push('', '  Map<String, dynamic> toJson() => <String, dynamic>{');
  for (const field of struct.fields) out.push(`        ${mapEntry(field, identifier(field.identifier), false)},`);
  out.push('      };', '}');
  return out;
}

function methodDeclaration(method: MethodModel): string[] {
  const result = method.result ? typeOf(method.result) : 'void';
  const name = identifier(method.identifier);
  let signature: string;
  let params: string;
  if (method.paramStructure === 'by-name') {
    const list = method.params.map(
      (param) => `${isOptional(param) ? '' : 'required '}${fieldType(param)} ${identifier(param.identifier)}`,
    );
    signature = list.length > 0 ? `{${list.join(', ')}}` : '';
    params = `<String, Object?>{${method.params.map((param) => mapEntry(param, identifier(param.identifier), true)).join(', ')}}`;
  } else {
    const required = method.params.filter((param) => param.required);
    const optional = method.params.filter((param) => !param.required);
    const declare = (param: FieldModel): string => `${fieldType(param)} ${identifier(param.identifier)}`;
    signature = required.map(declare).join(', ');
    if (optional.length > 0) signature += `${signature ? ', ' : ''}[${optional.map(declare).join(', ')}]`;
    params = `_positional(<Object?>[${method.params.map((param) => encodeField(param, identifier(param.identifier))).join(', ')}])`;
  }
  const out = [...doc(methodDoc(method), '  '), `  Future<${result}> ${name}(${signature}) async {`];
  const call = `_client._call(${stringLiteral(method.rpcName, 'dart')}, ${params})`;
  if (method.result) out.push(`    final result = await ${call};`, `    return ${decode(method.result, 'result', 0)};`);
  else out.push(`    await ${call};`);
  out.push('  }');
  return out;
}

function methodDoc(method: MethodModel): string {
  return describeMethod(method, (http) => `Throws [BlocksApiException]; HTTP ${http} besides the protocol's.`);
}

/**
 * A map literal entry: absent optionals are left out (collection-if), a
 * required null is sent as null. A local (a parameter) is promoted to
 * non-null inside the `if`; a field is not, so it keeps `?.`.
 */
function mapEntry(field: FieldModel, value: string, local: boolean): string {
  const key = stringLiteral(field.jsonName, 'dart');
  const inner = field.type.kind === 'nullable' ? field.type.inner : field.type;
  if (field.required || !isOptional(field)) return `${key}: ${encode(inner, value, 0, isOptional(field))}`;
  return `if (${value} != null) ${key}: ${encode(inner, value, 0, !local)}`;
}

function encodeField(field: FieldModel, value: string): string {
  const inner = field.type.kind === 'nullable' ? field.type.inner : field.type;
  return encode(inner, value, 0, isOptional(field));
}

/** An expression turning a Dart value into a JSON-encodable one; `?.` where the value may be null. */
function encode(type: TypeRef, value: string, depth: number, nullable = false): string {
  const item = `e${depth}`;
  const access = nullable ? '?.' : '.';
  switch (type.kind) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
    case 'json':
      return value;
    case 'struct':
      return `${value}${access}toJson()`;
    case 'array': {
      const encoded = encode(type.items, item, depth + 1);
      return encoded === item ? value : `${value}${access}map((${item}) => ${encoded}).toList()`;
    }
    case 'map': {
      const encoded = encode(type.values, item, depth + 1);
      return encoded === item ? value : `${value}${access}map((k${depth}, ${item}) => MapEntry(k${depth}, ${encoded}))`;
    }
    case 'nullable':
      return encode(type.inner, value, depth, true);
  }
}

function decodeField(field: FieldModel, value: string): string {
  if (!isOptional(field) || field.type.kind === 'json') return decode(field.type, value, 0);
  const inner = field.type.kind === 'nullable' ? field.type.inner : field.type;
  return `_nullable(${value}, (v0) => ${decode(inner, 'v0', 1)})`;
}

function decode(type: TypeRef, value: string, depth: number): string {
  const item = `v${depth}`;
  switch (type.kind) {
    case 'string':
      return `_as<String>(${value}, 'a string')`;
    case 'integer':
      return `_as<num>(${value}, 'an integer').toInt()`;
    case 'number':
      return `_as<num>(${value}, 'a number').toDouble()`;
    case 'boolean':
      return `_as<bool>(${value}, 'a boolean')`;
    case 'json':
      return value;
    case 'struct':
      return `${type.name}.fromJson(_as<Map<String, dynamic>>(${value}, 'an object'))`;
    case 'array':
      return `_as<List<dynamic>>(${value}, 'an array').map((${item}) => ${decode(type.items, item, depth + 1)}).toList()`;
    case 'map':
      return `_as<Map<String, dynamic>>(${value}, 'an object').map((k${depth}, ${item}) => MapEntry(k${depth}, ${decode(type.values, item, depth + 1)}))`;
    case 'nullable':
      return `_nullable(${value}, (${item}) => ${decode(type.inner, item, depth + 1)})`;
  }
}

function fieldType(field: FieldModel): string {
  const type = typeOf(field.type);
  return isOptional(field) && !type.endsWith('?') ? `${type}?` : type;
}

function isOptional(field: FieldModel): boolean {
  return !field.required || field.type.kind === 'nullable' || field.type.kind === 'json';
}

function typeOf(type: TypeRef): string {
  switch (type.kind) {
    case 'string':
      return 'String';
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'json':
      return 'Object?';
    case 'struct':
      return type.name;
    case 'array':
      return `List<${typeOf(type.items)}>`;
    case 'map':
      return `Map<String, ${typeOf(type.values)}>`;
    case 'nullable': {
      const inner = typeOf(type.inner);
      return inner.endsWith('?') ? inner : `${inner}?`;
    }
  }
}

function identifier(name: string): string {
  return KEYWORDS.has(name) ? `${name}_` : name;
}

function doc(text: string | undefined, indent: string): string[] {
  return commentLines(text).map((line) => (line ? `${indent}/// ${line}` : `${indent}///`));
}

/** Every client can upload to a FileBucket's presigned POST, whatever the app's methods are called. */
const DART_UPLOAD = String.raw`  /// Uploads [file] to a FileBucket's presigned POST ([url] and [fields] from an upload-URL method): straight
  /// to storage, not through the API. A root-relative [url] (the local dev server's) resolves against the API URL.
  Future<void> uploadToPresignedPost(String url, Map<String, String> fields, List<int> file, {String fileName = 'file'}) async {
    final request = http.MultipartRequest('POST', Uri.parse(this.url).resolve(url));
    // MultipartRequest writes fields before files, as storage requires.
    request.fields.addAll(fields);
    request.files.add(http.MultipartFile.fromBytes('file', file, filename: fileName));
    final response = await http.Response.fromStream(await _http.send(request));
    final status = response.statusCode;
    if (status < 200 || status > 299) {
      final text = response.body;
      throw BlocksApiException(status, 0, 'Storage refused the upload (HTTP $status): $text', null);
    }
  }`.split('\n');
