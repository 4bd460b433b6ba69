import { MapExpressionError } from './expression-error.js';

export type TokenKind = 'number' | 'string' | 'name' | 'keyword' | 'operator' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Source text; for strings, the decoded value. */
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'True', 'False', 'None', 'true', 'false', 'null']);

// Longest first, so that `//` is not read as two `/`.
const OPERATORS = ['//', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '?', ':', '(', ')', '[', ']', ',', '.'];

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

const HEX_ESCAPE_LENGTHS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    const column = index + 1;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (isDigit(char) || (char === '.' && isDigit(source[index + 1]))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(index));
      const text = (match as RegExpExecArray)[0];
      if (isNameStart(source[index + text.length])) throw new MapExpressionError(`invalid number "${text}${source[index + text.length]}"`, column);
      tokens.push({ kind: 'number', text, column });
      index += text.length;
      continue;
    }
    if (isNameStart(char)) {
      let end = index + 1;
      while (end < source.length && isNamePart(source[end])) end++;
      const text = source.slice(index, end);
      tokens.push({ kind: KEYWORDS.has(text) ? 'keyword' : 'name', text, column });
      index = end;
      continue;
    }
    if (char === '"' || char === "'") {
      const { value, end } = readString(source, index);
      tokens.push({ kind: 'string', text: value, column });
      index = end;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, index));
    if (operator === undefined) throw new MapExpressionError(`unexpected character "${char}"`, column);
    tokens.push({ kind: 'operator', text: operator, column });
    index += operator.length;
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}

function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  let index = start + 1;
  while (index < source.length) {
    const char = source[index] as string;
    if (char === quote) return { value, end: index + 1 };
    if (char !== '\\') {
      value += char;
      index++;
      continue;
    }
    const escape = source[index + 1];
    if (escape === undefined) break;
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) {
      value += simple;
      index += 2;
      continue;
    }
    const hexLength = HEX_ESCAPE_LENGTHS[escape];
    const hex = hexLength === undefined ? '' : source.slice(index + 2, index + 2 + hexLength);
    if (hexLength === undefined || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) {
      throw new MapExpressionError(`invalid escape sequence "\\${escape}" in string`, index + 1);
    }
    const codePoint = Number.parseInt(hex, 16);
    if (codePoint > 0x10ffff) throw new MapExpressionError(`invalid escape sequence "\\${escape}${hex}" in string`, index + 1);
    value += String.fromCodePoint(codePoint);
    index += 2 + hexLength;
  }
  throw new MapExpressionError('unterminated string', start + 1);
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isNameStart(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z_]/.test(char);
}

function isNamePart(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9_]/.test(char);
}
