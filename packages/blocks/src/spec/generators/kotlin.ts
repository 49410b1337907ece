/**
 * Kotlin client for Android: coroutines (`suspend`, Dispatchers.IO),
 * HttpURLConnection and org.json, all of which Android ships, so the only
 * library needed is kotlinx-coroutines-core. Written in the Kotlin 1.3 subset
 * (no trailing commas, no `fun interface`), so old and new compilers accept it.
 */
import { generatedHeader } from '../generated-files.js';
import { describeMethod, type ClientModel, type FieldModel, type MethodModel, type StructModel, type TypeRef } from './model.js';
import { commentLines, stringLiteral } from './naming.js';

export interface KotlinOptions {
  readonly packageName: string;
}

const KEYWORDS = new Set(
  (
    'as break class continue do else false for fun if in interface is null object package return super this ' +
    'throw true try typealias typeof val var when while'
  ).split(' '),
);

export function generateKotlin(model: ClientModel, options: KotlinOptions): string {
  const out: string[] = [generatedHeader(), `package ${options.packageName}`, ''];
  out.push(
    'import java.net.HttpURLConnection',
    'import java.net.URL',
    'import java.util.concurrent.atomic.AtomicLong',
    'import kotlinx.coroutines.Dispatchers',
    'import kotlinx.coroutines.withContext',
    'import org.json.JSONArray',
    'import org.json.JSONException',
    'import org.json.JSONObject',
    '',
  );
  out.push(
    ...kdoc(
      `${model.title} ${model.version}: a typed client for the Blocks API (JSON-RPC 2.0 over HTTPS).\n\n` +
        'val client = BlocksClient(url = blocksApiUrl) { // custom.blocks_api_url\n' +
        '    (Amplify.Auth.fetchAuthSession() as AWSCognitoAuthSession).userPoolTokensResult.value?.idToken\n' +
        '}',
      '',
    ),
  );
  out.push(...client(model), '', ...runtime());
  for (const struct of model.structs) out.push('', ...structDeclaration(struct));
  for (const namespace of model.namespaces) {
    out.push('', ...kdoc(`The \`${namespace.jsonName}\` namespace.`, ''));
    out.push(`class ${namespace.typeName} internal constructor(private val client: BlocksClient) {`);
    namespace.methods.forEach((method, index) => {
      if (index > 0) out.push('');
      out.push(...methodDeclaration(method));
    });
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

function client(model: ClientModel): string[] {
  const out = [
    'class BlocksClient(',
    '    /** `custom.blocks_api_url` from amplify_outputs.json. */',
    '    val url: String = DEFAULT_URL,',
    '    private val connectTimeoutMillis: Int = 15000,',
    '    private val readTimeoutMillis: Int = 30000,',
    '    /** Returns the Amplify ID token, or null when signed out; sent as `Authorization: Bearer <token>`. Last, so it can be a trailing lambda. */',
    '    private val tokenProvider: (suspend () -> String?)? = null',
    ') {',
    '    private val ids = AtomicLong(0)',
    '',
  ];
  for (const namespace of model.namespaces) {
    out.push(`    val ${identifier(namespace.identifier)}: ${namespace.typeName} = ${namespace.typeName}(this)`);
  }
  out.push(
    '',
    '    /** Sends one call; returns its `result` (org.json values, `JSONObject.NULL` for null) or throws [BlocksApiException]. */',
    '    internal suspend fun call(method: String, params: Any): Any? {',
    '        val token = tokenProvider?.invoke()',
    '        val body = JSONObject()',
    '            .put("jsonrpc", "2.0")',
    '            .put("id", ids.incrementAndGet())',
    '            .put("method", method)',
    '            .put("params", params)',
    '            .toString()',
    '        return withContext(Dispatchers.IO) { send(body, token) }',
    '    }',
    '',
    '    private fun send(body: String, token: String?): Any? {',
    '        val connection = URL(url).openConnection() as HttpURLConnection',
    '        try {',
    '            connection.requestMethod = "POST"',
    '            connection.doOutput = true',
    '            connection.connectTimeout = connectTimeoutMillis',
    '            connection.readTimeout = readTimeoutMillis',
    '            connection.setRequestProperty("Content-Type", "application/json")',
    '            connection.setRequestProperty("Accept", "application/json")',
    '            if (token != null && token.isNotEmpty()) connection.setRequestProperty("Authorization", "Bearer " + token)',
    '            connection.outputStream.use { it.write(body.toByteArray(Charsets.UTF_8)) }',
    '            val status = connection.responseCode',
    '            val stream = if (status >= 400) connection.errorStream else connection.inputStream',
    '            val text = stream?.bufferedReader(Charsets.UTF_8)?.use { it.readText() } ?: ""',
    '            return readResult(status, text)',
    '        } finally {',
    '            connection.disconnect()',
    '        }',
    '    }',
    '',
    '    private fun readResult(status: Int, text: String): Any? {',
    '        val envelope = try {',
    '            JSONObject(text)',
    '        } catch (e: JSONException) {',
    '            throw BlocksApiException.unexpected(status, "the answer is not JSON-RPC")',
    '        }',
    '        val error = envelope.optJSONObject("error")',
    '        if (error != null) {',
    '            val message = error.optString("message", "HTTP " + status)',
    '            throw BlocksApiException(status, error.optInt("code", 0), message, BlocksJson.json(error.opt("data")))',
    '        }',
    '        if (status !in 200..299 || !envelope.has("result")) {',
    '            throw BlocksApiException.unexpected(status, "the answer has no result")',
    '        }',
    '        return envelope.opt("result")',
    '    }',
    '',
    ...KOTLIN_UPLOAD,
    '',
    '    companion object {',
    '        /** Where `npm run blocks:dev` serves the API; use `custom.blocks_api_url` from amplify_outputs.json instead. */',
    `        const val DEFAULT_URL = ${stringLiteral(model.defaultUrl, 'kotlin')}`,
    '    }',
    '}',
  );
  return out;
}

function runtime(): string[] {
  return [
    '/** An error answer from the Blocks API. */',
    'class BlocksApiException(',
    '    /** HTTP status: 400 bad input, 401 sign-in needed, 403 not allowed, 404, 409 conflict, 5xx; the error class. */',
    '    val status: Int,',
    '    /** JSON-RPC error code (e.g. -32602 invalid params, -32001 unauthorized); 0 when the answer was not JSON-RPC. */',
    '    val code: Int,',
    '    message: String,',
    '    /** `error.data` as sent: a JSONObject `{ status, name, details?, requestId? }`. */',
    '    val data: Any?',
    ') : Exception(message) {',
    "    /** The server's error class, e.g. `ConflictError`. */",
    '    val errorName: String? get() = (data as? JSONObject)?.optString("name")?.takeIf { it.isNotEmpty() }',
    '    /** What the Block attached, e.g. validation issues. */',
    '    val details: Any? get() = BlocksJson.json((data as? JSONObject)?.opt("details"))',
    '    /** Only on server errors: quote it when reporting a bug. */',
    '    val requestId: String? get() = (data as? JSONObject)?.optString("requestId")?.takeIf { it.isNotEmpty() }',
    '',
    '    companion object {',
    '        internal fun unexpected(status: Int, why: String): BlocksApiException =',
    '            BlocksApiException(status, 0, "Unexpected response from the Blocks API (HTTP " + status + "): " + why, null)',
    '    }',
    '}',
    '',
    '/** Reading and writing org.json values with the types the spec promises. */',
    'internal object BlocksJson {',
    '    fun present(value: Any?): Boolean = value != null && value != JSONObject.NULL',
    '    fun json(value: Any?): Any? = if (present(value)) value else null',
    '    fun string(value: Any?): String = value as? String ?: throw mismatch("a string", value)',
    '    fun integer(value: Any?): Long = (value as? Number)?.toLong() ?: throw mismatch("an integer", value)',
    '    fun number(value: Any?): Double = (value as? Number)?.toDouble() ?: throw mismatch("a number", value)',
    '    fun boolean(value: Any?): Boolean = value as? Boolean ?: throw mismatch("a boolean", value)',
    '    fun obj(value: Any?): JSONObject = value as? JSONObject ?: throw mismatch("an object", value)',
    '',
    '    fun <T> list(value: Any?, item: (Any?) -> T): List<T> {',
    '        val array = value as? JSONArray ?: throw mismatch("an array", value)',
    '        return List(array.length()) { index -> item(array.opt(index)) }',
    '    }',
    '',
    '    fun <T> map(value: Any?, item: (Any?) -> T): Map<String, T> {',
    '        val source = obj(value)',
    '        val result = LinkedHashMap<String, T>()',
    '        for (key in source.keys()) result[key] = item(source.opt(key))',
    '        return result',
    '    }',
    '',
    '    fun <T> nullable(value: Any?, item: (Any?) -> T): T? = if (present(value)) item(value) else null',
    '',
    '    fun <T> array(values: List<T>, item: (T) -> Any?): JSONArray {',
    '        val array = JSONArray()',
    '        for (value in values) array.put(item(value) ?: JSONObject.NULL)',
    '        return array',
    '    }',
    '',
    '    fun <T> objectOf(values: Map<String, T>, item: (T) -> Any?): JSONObject {',
    '        val result = JSONObject()',
    '        for ((key, value) in values) result.put(key, item(value) ?: JSONObject.NULL)',
    '        return result',
    '    }',
    '',
    '    /** `params: [a, b]`: trailing absent arguments are left out, so the server applies its defaults. */',
    '    fun positional(vararg values: Any?): JSONArray {',
    '        var count = values.size',
    '        while (count > 0 && !present(values[count - 1])) count--',
    '        val array = JSONArray()',
    '        for (index in 0 until count) array.put(values[index] ?: JSONObject.NULL)',
    '        return array',
    '    }',
    '',
    '    private fun mismatch(expected: String, value: Any?): BlocksApiException =',
    '        BlocksApiException.unexpected(200, "expected " + expected + ", got " + (value?.javaClass?.simpleName ?: "nothing"))',
    '}',
  ];
}

function structDeclaration(struct: StructModel): string[] {
  const out = [...kdoc(struct.description, ''), `data class ${struct.name}(`];
  struct.fields.forEach((field, index) => {
    out.push(...kdoc(field.description, '    '));
    const last = index === struct.fields.length - 1;
    out.push(`    val ${identifier(field.identifier)}: ${fieldType(field)}${isOptional(field) ? ' = null' : ''}${last ? '' : ','}`);
  });
  out.push(') {', '    fun toJson(): JSONObject {', '        val json = JSONObject()');
  for (const field of struct.fields) out.push(`        ${putField('json', field, `this.${identifier(field.identifier)}`)}`);
  out.push('        return json', '    }', '', '    companion object {');
  out.push(`        fun fromJson(json: JSONObject): ${struct.name} = ${struct.name}(`);
  struct.fields.forEach((field, index) => {
    const value = `json.opt(${stringLiteral(field.jsonName, 'kotlin')})`;
    const comma = index === struct.fields.length - 1 ? '' : ',';
    out.push(`            ${identifier(field.identifier)} = ${decodeField(field, value)}${comma}`);
  });
  out.push('        )', '    }', '}');
  return out;
}

function methodDeclaration(method: MethodModel): string[] {
  const parameters = method.params.map(
    (param) => `${identifier(param.identifier)}: ${fieldType(param)}${isOptional(param) ? ' = null' : ''}`,
  );
  const result = method.result ? typeOf(method.result) : undefined;
  const out = [
    ...kdoc(methodDoc(method), '    '),
    `    suspend fun ${identifier(method.identifier)}(${parameters.join(', ')})${result ? `: ${result}` : ''} {`,
  ];
  let params: string;
  if (method.paramStructure === 'by-name') {
    out.push('        val params = JSONObject()');
    for (const param of method.params) out.push(`        ${putField('params', param, identifier(param.identifier))}`);
    params = 'params';
  } else {
    const values = method.params.map((param) => encodeOptional(param, identifier(param.identifier)));
    params = `BlocksJson.positional(${values.join(', ')})`;
  }
  const call = `client.call(${stringLiteral(method.rpcName, 'kotlin')}, ${params})`;
  if (method.result) out.push(`        val result = ${call}`, `        return ${decode(method.result, 'result', 0)}`);
  else out.push(`        ${call}`);
  out.push('    }');
  return out;
}

function methodDoc(method: MethodModel): string {
  return describeMethod(method, (http) => `Throws [BlocksApiException]; HTTP ${http} besides the protocol's.`);
}

/** `json.put(...)` for one field: absent optionals are left out, a required null is sent as null. */
function putField(target: string, field: FieldModel, value: string): string {
  const key = stringLiteral(field.jsonName, 'kotlin');
  if (field.type.kind === 'json') {
    const put = `${target}.put(${key}, ${encode(field.type, value, 0)})`;
    return field.required ? put : `if (${value} != null) ${put}`;
  }
  if (!isOptional(field)) return `${target}.put(${key}, ${encode(field.type, value, 0)})`;
  const inner = field.type.kind === 'nullable' ? field.type.inner : field.type;
  const present = `${target}.put(${key}, ${encode(inner, value, 0)})`;
  if (field.required) return `if (${value} != null) ${present} else ${target}.put(${key}, JSONObject.NULL)`;
  return `if (${value} != null) ${present}`;
}

function encodeOptional(field: FieldModel, value: string): string {
  if (!isOptional(field) || field.type.kind === 'json') return encode(field.type, value, 0);
  const inner = field.type.kind === 'nullable' ? field.type.inner : field.type;
  const encoded = encode(inner, 'it', 0);
  return encoded === 'it' ? value : `${value}?.let { ${encoded} }`;
}

/** An expression turning a Kotlin value into an org.json value. */
function encode(type: TypeRef, value: string, depth: number): string {
  const item = `e${depth}`;
  switch (type.kind) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return value;
    case 'json':
      // Maps, lists and arrays become JSONObject / JSONArray; null becomes JSONObject.NULL.
      return `JSONObject.wrap(${value})`;
    case 'struct':
      return `${value}.toJson()`;
    case 'array':
      return `BlocksJson.array(${value}) { ${item} -> ${encode(type.items, item, depth + 1)} }`;
    case 'map':
      return `BlocksJson.objectOf(${value}) { ${item} -> ${encode(type.values, item, depth + 1)} }`;
    case 'nullable':
      return `${value}?.let { ${item} -> ${encode(type.inner, item, depth + 1)} }`;
  }
}

function decodeField(field: FieldModel, value: string): string {
  if (!isOptional(field) || field.type.kind === 'json') return decode(field.type, value, 0);
  const inner = field.type.kind === 'nullable' ? field.type.inner : field.type;
  return `BlocksJson.nullable(${value}) { v0 -> ${decode(inner, 'v0', 1)} }`;
}

/** An expression turning an org.json value into the Kotlin type, or throwing BlocksApiException. */
function decode(type: TypeRef, value: string, depth: number): string {
  const item = `v${depth}`;
  switch (type.kind) {
    case 'string':
      return `BlocksJson.string(${value})`;
    case 'integer':
      return `BlocksJson.integer(${value})`;
    case 'number':
      return `BlocksJson.number(${value})`;
    case 'boolean':
      return `BlocksJson.boolean(${value})`;
    case 'json':
      return `BlocksJson.json(${value})`;
    case 'struct':
      return `${type.name}.fromJson(BlocksJson.obj(${value}))`;
    case 'array':
      return `BlocksJson.list(${value}) { ${item} -> ${decode(type.items, item, depth + 1)} }`;
    case 'map':
      return `BlocksJson.map(${value}) { ${item} -> ${decode(type.values, item, depth + 1)} }`;
    case 'nullable':
      return `BlocksJson.nullable(${value}) { ${item} -> ${decode(type.inner, item, depth + 1)} }`;
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
      return 'Long';
    case 'number':
      return 'Double';
    case 'boolean':
      return 'Boolean';
    case 'json':
      return 'Any?';
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
  return KEYWORDS.has(name) ? `\`${name}\`` : name;
}

function kdoc(text: string | undefined, indent: string): string[] {
  const lines = commentLines(text);
  if (lines.length === 0) return [];
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)), `${indent} */`];
}

/** Every client can upload to a FileBucket's presigned POST, whatever the app's methods are called. */
const KOTLIN_UPLOAD = String.raw`    /**
     * Uploads [file] to a FileBucket's presigned POST ([url] and [fields] from an upload-URL method): straight
     * to storage, not through the API. A root-relative [url] (the local dev server's) resolves against the API URL.
     */
    suspend fun uploadToPresignedPost(url: String, fields: Map<String, String>, file: ByteArray, fileName: String = "file") {
        val target = URL(URL(this.url), url)
        val boundary = "BlocksBoundary" + java.util.UUID.randomUUID().toString().replace("-", "")
        val body = java.io.ByteArrayOutputStream()
        for ((name, value) in fields) {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n").toByteArray(Charsets.UTF_8))
        }
        val safeName = fileName.replace("\"", "_")
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + safeName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").toByteArray(Charsets.UTF_8))
        // Last: storage ignores fields after the file.
        body.write(file)
        body.write(("\r\n--" + boundary + "--\r\n").toByteArray(Charsets.UTF_8))
        withContext(Dispatchers.IO) {
            val connection = target.openConnection() as HttpURLConnection
            try {
                connection.requestMethod = "POST"
                connection.doOutput = true
                connection.connectTimeout = connectTimeoutMillis
                connection.readTimeout = readTimeoutMillis
                connection.setRequestProperty("Content-Type", "multipart/form-data; boundary=" + boundary)
                connection.outputStream.use { it.write(body.toByteArray()) }
                val status = connection.responseCode
                if (status !in 200..299) {
                    val text = connection.errorStream?.bufferedReader(Charsets.UTF_8)?.use { it.readText() } ?: ""
                    throw BlocksApiException(status, 0, "Storage refused the upload (HTTP " + status + "): " + text, null)
                }
            } finally {
                connection.disconnect()
            }
        }
    }`.split('\n');
