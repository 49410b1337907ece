/** Identifier shaping shared by the generators: JSON names are free-form, source identifiers are not. */

/** `notes-api`, `notes_api`, `notesApi` → `NotesApi`. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  const joined = words.map((word) => (word[0] ?? '').toUpperCase() + word.slice(1)).join('');
  return /^[0-9]/.test(joined) || joined.length === 0 ? `T${joined}` : joined;
}

/**
 * A JSON name as a camelCase identifier, left untouched when it already is one
 * (`createdAt` stays `createdAt`, `kebab-key` becomes `kebabKey`).
 */
export function camelIdentifier(name: string): string {
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(name)) return name;
  const pascal = pascalCase(name);
  return (pascal[0] ?? '').toLowerCase() + pascal.slice(1);
}

/** Gives each name in a list its own identifier, numbering repeats after shaping. */
export function uniqueIdentifiers(names: readonly string[], shape: (name: string) => string): Map<string, string> {
  const used = new Set<string>();
  const result = new Map<string, string>();
  for (const name of names) {
    const base = shape(name);
    let identifier = base;
    for (let n = 2; used.has(identifier); n++) identifier = `${base}${n}`;
    used.add(identifier);
    result.set(name, identifier);
  }
  return result;
}

export type Language = 'swift' | 'kotlin' | 'dart' | 'typescript';

/** A string literal (single-quoted in TypeScript, double elsewhere); each language escapes a different set. */
export function stringLiteral(value: string, language: Language): string {
  const quote = language === 'typescript' ? "'" : '"';
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '$' && (language === 'kotlin' || language === 'dart')) out += '\\$';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) {
      const hex = code.toString(16);
      out += language === 'swift' ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
    } else out += char;
  }
  return `${quote}${out}${quote}`;
}

/** Comment text split into lines, with nothing that could close a block comment. */
export function commentLines(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .replace(/\*\//g, '*\u2215')
    .split(/\r?\n/)
    .map((line) => line.trimEnd());
}
