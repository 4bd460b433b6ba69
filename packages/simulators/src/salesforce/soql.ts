/**
 * A SOQL parser for the subset that taps send: field lists with parent paths
 * and child sub-queries, WHERE with AND/OR/NOT/parentheses over comparisons,
 * IN, LIKE, ORDER BY, LIMIT, OFFSET and COUNT(). Errors carry Salesforce's
 * `ERROR at Row:r:Column:c` message format so that taps log what they would log
 * against the real service.
 */
import { SalesforceError } from './errors.js';

export interface Token {
  type: 'ident' | 'string' | 'number' | 'datetime' | 'date' | 'punct' | 'op' | 'eof';
  text: string;
  /** Decoded value of string/number/datetime (millis)/date tokens. */
  value?: string | number;
  row: number;
  col: number;
}

export interface FieldRef {
  path: string[];
  token: Token;
}

export type Literal =
  | { type: 'string'; value: string; token: Token }
  | { type: 'number'; value: number; token: Token }
  | { type: 'datetime'; value: number; token: Token }
  | { type: 'date'; value: string; token: Token }
  | { type: 'boolean'; value: boolean; token: Token }
  | { type: 'null'; value: null; token: Token };

export type Expr =
  | { kind: 'and' | 'or'; items: Expr[] }
  | { kind: 'not'; expr: Expr }
  | { kind: 'cmp'; field: FieldRef; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like'; value: Literal }
  | { kind: 'in'; field: FieldRef; negate: boolean; values: Literal[] }
  | { kind: 'includes'; field: FieldRef; negate: boolean; values: Literal[] };

export type SelectItem =
  | { kind: 'field'; ref: FieldRef }
  | { kind: 'subquery'; query: SoqlQuery; token: Token }
  | { kind: 'count'; token: Token };

export interface OrderItem {
  field: FieldRef;
  desc: boolean;
}

export interface SoqlQuery {
  select: SelectItem[];
  from: { name: string; token: Token };
  where?: Expr;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}

const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'in', 'like', 'includes', 'excludes', 'order', 'by', 'asc', 'desc', 'nulls', 'first', 'last', 'limit', 'offset', 'true', 'false', 'null', 'with', 'group', 'having', 'for', 'using']);

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER = /^-?\d+(\.\d+)?/;

/** `SOQL error` with Salesforce's row/column pointer into the query text. */
export function soqlError(code: string, soql: string, token: Pick<Token, 'row' | 'col'>, detail: string): SalesforceError {
  const line = soql.split(/\r?\n/)[token.row - 1] ?? soql;
  const message = `\n${line}\n${' '.repeat(Math.max(0, token.col - 1))}^\nERROR at Row:${token.row}:Column:${token.col}\n${detail}`;
  return new SalesforceError(400, code, message);
}

export function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let row = 1;
  let lineStart = 0;
  const at = (): { row: number; col: number } => ({ row, col: i - lineStart + 1 });
  while (i < soql.length) {
    const ch = soql[i] as string;
    if (ch === '\n') {
      i += 1;
      row += 1;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const pos = at();
    const rest = soql.slice(i);
    if (ch === "'") {
      let j = i + 1;
      let value = '';
      while (j < soql.length && soql[j] !== "'") {
        if (soql[j] === '\\' && j + 1 < soql.length) {
          const next = soql[j + 1] as string;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
          j += 2;
        } else {
          value += soql[j];
          j += 1;
        }
      }
      if (j >= soql.length) throw soqlError('MALFORMED_QUERY', soql, pos, `line ${pos.row}:${pos.col - 1} mismatched character '<EOF>' expecting '''`);
      tokens.push({ type: 'string', text: soql.slice(i, j + 1), value, ...pos });
      i = j + 1;
      continue;
    }
    const datetime = DATETIME.exec(rest);
    if (datetime) {
      tokens.push({ type: 'datetime', text: datetime[0], value: parseSoqlDatetime(datetime), ...pos });
      i += datetime[0].length;
      continue;
    }
    const date = DATE.exec(rest);
    if (date) {
      tokens.push({ type: 'date', text: date[0], value: date[0], ...pos });
      i += date[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number && (ch !== '-' || /\d/.test(soql[i + 1] ?? ''))) {
      tokens.push({ type: 'number', text: number[0], value: Number(number[0]), ...pos });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (ident) {
      tokens.push({ type: 'ident', text: ident[0], ...pos });
      i += ident[0].length;
      continue;
    }
    const op = /^(!=|<>|<=|>=|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ type: 'op', text: op[0] === '<>' ? '!=' : op[0], ...pos });
      i += op[0].length;
      continue;
    }
    if ('(),.:'.includes(ch)) {
      tokens.push({ type: 'punct', text: ch, ...pos });
      i += 1;
      continue;
    }
    throw soqlError('MALFORMED_QUERY', soql, pos, `unexpected token: '${ch}'`);
  }
  tokens.push({ type: 'eof', text: '<EOF>', ...at() });
  return tokens;
}

function parseSoqlDatetime(match: RegExpExecArray): number {
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), frac ? Math.round(Number(`0${frac}`) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return ms;
}

class Parser {
  #i = 0;

  constructor(
    readonly soql: string,
    readonly tokens: Token[],
  ) {}

  get peek(): Token {
    return this.tokens[this.#i] as Token;
  }

  next(): Token {
    const token = this.peek;
    if (token.type !== 'eof') this.#i += 1;
    return token;
  }

  isKeyword(word: string, token: Token = this.peek): boolean {
    return token.type === 'ident' && token.text.toLowerCase() === word;
  }

  isPunct(text: string): boolean {
    return this.peek.type === 'punct' && this.peek.text === text;
  }

  unexpected(token: Token = this.peek): SalesforceError {
    const text = token.type === 'eof' ? "'<EOF>'" : token.text;
    return soqlError('MALFORMED_QUERY', this.soql, token, `unexpected token: ${text}`);
  }

  expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) throw this.unexpected();
    return this.next();
  }

  expectPunct(text: string): Token {
    if (!this.isPunct(text)) throw this.unexpected();
    return this.next();
  }

  query(sub: boolean): SoqlQuery {
    this.expectKeyword('select');
    const select: SelectItem[] = [];
    do {
      select.push(this.selectItem(!sub));
    } while (this.isPunct(',') && this.next());
    this.expectKeyword('from');
    const fromToken = this.next();
    if (fromToken.type !== 'ident' || KEYWORDS.has(fromToken.text.toLowerCase())) throw this.unexpected(fromToken);
    const query: SoqlQuery = { select, from: { name: fromToken.text, token: fromToken }, orderBy: [] };
    // aliases (`FROM Contact c`) are legal SOQL but no tap sends one; refusing them keeps field paths unambiguous
    if (this.peek.type === 'ident' && !KEYWORDS.has(this.peek.text.toLowerCase())) throw this.unexpected();
    if (this.isKeyword('where')) {
      this.next();
      query.where = this.orExpr();
    }
    if (this.isKeyword('order')) {
      this.next();
      this.expectKeyword('by');
      do {
        const field = this.fieldRef();
        let desc = false;
        if (this.isKeyword('asc')) this.next();
        else if (this.isKeyword('desc')) {
          this.next();
          desc = true;
        }
        if (this.isKeyword('nulls')) {
          this.next();
          if (!this.isKeyword('first') && !this.isKeyword('last')) throw this.unexpected();
          this.next();
        }
        query.orderBy.push({ field, desc });
      } while (this.isPunct(',') && this.next());
    }
    if (this.isKeyword('limit')) {
      this.next();
      query.limit = this.integer();
    }
    if (this.isKeyword('offset')) {
      this.next();
      query.offset = this.integer();
    }
    if (sub) {
      if (!this.isPunct(')')) throw this.unexpected();
    } else if (this.peek.type !== 'eof') {
      throw this.unexpected();
    }
    return query;
  }

  integer(): number {
    const token = this.next();
    if (token.type !== 'number' || !Number.isInteger(token.value)) throw this.unexpected(token);
    return token.value as number;
  }

  selectItem(allowSubquery: boolean): SelectItem {
    const token = this.peek;
    if (this.isPunct('(')) {
      if (!allowSubquery) throw this.unexpected();
      this.next();
      const query = this.query(true);
      this.expectPunct(')');
      return { kind: 'subquery', query, token };
    }
    if (this.isKeyword('count') && this.tokens[this.#i + 1]?.text === '(') {
      this.next();
      this.next();
      this.expectPunct(')');
      return { kind: 'count', token };
    }
    const ref = this.fieldRef();
    if (!this.isPunct(',') && !this.isKeyword('from')) throw this.unexpected();
    return { kind: 'field', ref };
  }

  fieldRef(): FieldRef {
    const token = this.next();
    if (token.type !== 'ident' || (KEYWORDS.has(token.text.toLowerCase()) && token.text.toLowerCase() !== 'first' && token.text.toLowerCase() !== 'last')) {
      throw this.unexpected(token);
    }
    const path = [token.text];
    while (this.isPunct('.')) {
      this.next();
      const part = this.next();
      if (part.type !== 'ident') throw this.unexpected(part);
      path.push(part.text);
    }
    return { path, token };
  }

  orExpr(): Expr {
    const items = [this.andExpr()];
    while (this.isKeyword('or')) {
      this.next();
      items.push(this.andExpr());
    }
    return items.length === 1 ? (items[0] as Expr) : { kind: 'or', items };
  }

  andExpr(): Expr {
    const items = [this.notExpr()];
    while (this.isKeyword('and')) {
      this.next();
      items.push(this.notExpr());
    }
    return items.length === 1 ? (items[0] as Expr) : { kind: 'and', items };
  }

  notExpr(): Expr {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'not', expr: this.notExpr() };
    }
    if (this.isPunct('(')) {
      this.next();
      const expr = this.orExpr();
      this.expectPunct(')');
      return expr;
    }
    return this.condition();
  }

  condition(): Expr {
    const field = this.fieldRef();
    const token = this.peek;
    if (token.type === 'op') {
      this.next();
      return { kind: 'cmp', field, op: token.text as '=', value: this.literal() };
    }
    if (this.isKeyword('like')) {
      this.next();
      return { kind: 'cmp', field, op: 'like', value: this.literal() };
    }
    let negate = false;
    if (this.isKeyword('not')) {
      this.next();
      negate = true;
      if (!this.isKeyword('in')) throw this.unexpected();
    }
    if (this.isKeyword('in') || this.isKeyword('includes') || this.isKeyword('excludes')) {
      const word = this.next().text.toLowerCase();
      this.expectPunct('(');
      if (this.isKeyword('select')) throw soqlError('MALFORMED_QUERY', this.soql, this.peek, 'semi join sub-selects are not supported by this simulator');
      const values: Literal[] = [this.literal()];
      while (this.isPunct(',')) {
        this.next();
        values.push(this.literal());
      }
      this.expectPunct(')');
      if (word === 'in') return { kind: 'in', field, negate, values };
      return { kind: 'includes', field, negate: word === 'excludes', values };
    }
    throw this.unexpected();
  }

  literal(): Literal {
    const token = this.next();
    switch (token.type) {
      case 'string':
        return { type: 'string', value: token.value as string, token };
      case 'number':
        return { type: 'number', value: token.value as number, token };
      case 'datetime':
        return { type: 'datetime', value: token.value as number, token };
      case 'date':
        return { type: 'date', value: token.value as string, token };
      case 'ident': {
        const word = token.text.toLowerCase();
        if (word === 'true' || word === 'false') return { type: 'boolean', value: word === 'true', token };
        if (word === 'null') return { type: 'null', value: null, token };
        throw this.unexpected(token);
      }
      default:
        throw this.unexpected(token);
    }
  }
}

export function parseSoql(soql: string): SoqlQuery {
  const parser = new Parser(soql, tokenize(soql));
  return parser.query(false);
}
