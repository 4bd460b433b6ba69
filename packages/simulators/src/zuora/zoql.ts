/**
 * The part of ZOQL that export taps send:
 *   select f1, f2, Related.Id from Obj
 *     [where UpdatedDate >= '…' and (A = 'x' or B != null)]
 *     [order by UpdatedDate asc] [limit N]
 * plus `select * from Obj limit 1` (tap-zuora's availability probe).
 * Keywords are case-insensitive; names keep their case.
 */

export class ZoqlSyntaxError extends Error {}

export interface FieldRef {
  /** Related object (relationship) name for `Account.Id`; undefined for the queried object's own field. */
  related: string | undefined;
  field: string;
  /** As written in the query (`Id`, `Account.Id`): the CSV header with `useQueryLabels`. */
  label: string;
}

export type Literal = string | number | boolean | null;
export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'compare'; field: FieldRef; op: Operator; value: Literal }
  | { kind: 'and' | 'or'; left: Condition; right: Condition };

export interface ZoqlQuery {
  text: string;
  /** `select *`. */
  star: boolean;
  fields: FieldRef[];
  object: string;
  where: Condition | undefined;
  orderBy: { field: FieldRef; descending: boolean }[];
  limit: number | undefined;
}

type Token =
  | { type: 'word'; value: string }
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'punct'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'word', value: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(?:\.[0-9]+)?/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ZoqlSyntaxError('unterminated string literal');
        const d = text[j] as string;
        if (d === '\\' && j + 1 < text.length) {
          value += text[j + 1];
          j += 2;
        } else if (d === c) {
          j += 1;
          break;
        } else {
          value += d;
          j += 1;
        }
      }
      tokens.push({ type: 'string', value });
      i = j;
    } else {
      const two = text.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '!=' || two === '<>') {
        tokens.push({ type: 'punct', value: two === '<>' ? '!=' : two });
        i += 2;
      } else if ('=<>,.*()'.includes(c)) {
        tokens.push({ type: 'punct', value: c });
        i += 1;
      } else {
        throw new ZoqlSyntaxError(`unexpected character '${c}'`);
      }
    }
  }
  return tokens;
}

const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'order', 'by', 'asc', 'desc', 'limit', 'null', 'true', 'false']);

class Parser {
  #i = 0;
  constructor(readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.#i];
  }

  next(): Token {
    const token = this.tokens[this.#i];
    if (!token) throw new ZoqlSyntaxError('unexpected end of query');
    this.#i += 1;
    return token;
  }

  done(): boolean {
    return this.#i >= this.tokens.length;
  }

  isKeyword(word: string): boolean {
    const token = this.peek();
    return token?.type === 'word' && token.value.toLowerCase() === word;
  }

  keyword(word: string): void {
    if (!this.isKeyword(word)) throw new ZoqlSyntaxError(`expected '${word}'`);
    this.#i += 1;
  }

  isPunct(value: string): boolean {
    const token = this.peek();
    return token?.type === 'punct' && token.value === value;
  }

  punct(value: string): void {
    if (!this.isPunct(value)) throw new ZoqlSyntaxError(`expected '${value}'`);
    this.#i += 1;
  }

  name(): string {
    const token = this.next();
    if (token.type !== 'word' || KEYWORDS.has(token.value.toLowerCase())) throw new ZoqlSyntaxError('expected a name');
    return token.value;
  }

  fieldRef(): FieldRef {
    const first = this.name();
    if (this.isPunct('.')) {
      this.#i += 1;
      const field = this.name();
      return { related: first, field, label: `${first}.${field}` };
    }
    return { related: undefined, field: first, label: first };
  }

  literal(): Literal {
    const token = this.next();
    if (token.type === 'string' || token.type === 'number') return token.value;
    if (token.type === 'word') {
      const word = token.value.toLowerCase();
      if (word === 'null') return null;
      if (word === 'true') return true;
      if (word === 'false') return false;
    }
    throw new ZoqlSyntaxError('expected a literal');
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.isKeyword('or')) {
      this.#i += 1;
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  conjunction(): Condition {
    let left = this.comparison();
    while (this.isKeyword('and')) {
      this.#i += 1;
      left = { kind: 'and', left, right: this.comparison() };
    }
    return left;
  }

  comparison(): Condition {
    if (this.isPunct('(')) {
      this.#i += 1;
      const inner = this.condition();
      this.punct(')');
      return inner;
    }
    const field = this.fieldRef();
    const token = this.next();
    if (token.type !== 'punct' || !['=', '!=', '<', '<=', '>', '>='].includes(token.value)) throw new ZoqlSyntaxError('expected a comparison operator');
    return { kind: 'compare', field, op: token.value as Operator, value: this.literal() };
  }
}

export function parseZoql(text: string): ZoqlQuery {
  const p = new Parser(tokenize(text));
  p.keyword('select');
  let star = false;
  const fields: FieldRef[] = [];
  if (p.isPunct('*')) {
    p.next();
    star = true;
  } else {
    fields.push(p.fieldRef());
    while (p.isPunct(',')) {
      p.next();
      fields.push(p.fieldRef());
    }
  }
  p.keyword('from');
  const object = p.name();
  let where: Condition | undefined;
  if (p.isKeyword('where')) {
    p.next();
    where = p.condition();
  }
  const orderBy: ZoqlQuery['orderBy'] = [];
  if (p.isKeyword('order')) {
    p.next();
    p.keyword('by');
    do {
      if (orderBy.length > 0) p.next();
      const field = p.fieldRef();
      let descending = false;
      if (p.isKeyword('asc')) p.next();
      else if (p.isKeyword('desc')) {
        p.next();
        descending = true;
      }
      orderBy.push({ field, descending });
    } while (p.isPunct(','));
  }
  let limit: number | undefined;
  if (p.isKeyword('limit')) {
    p.next();
    const token = p.next();
    if (token.type !== 'number' || !Number.isInteger(token.value) || token.value < 0) throw new ZoqlSyntaxError('limit needs a non-negative integer');
    limit = token.value;
  }
  if (!p.done()) throw new ZoqlSyntaxError('unexpected text after the query');
  return { text, star, fields, object, where, orderBy, limit };
}
