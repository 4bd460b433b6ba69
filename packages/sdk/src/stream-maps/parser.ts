import type { ComparisonOperator, ComparisonStep, ExpressionNode } from './ast.js';
import { MapExpressionError } from './expression-error.js';
import { tokenize, type Token } from './tokenizer.js';

/** Deeper nesting than this is certainly not a hand-written map, and would risk the call stack. */
const MAX_NESTING = 64;

const COMPARISON_OPERATORS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/**
 * Recursive-descent parser, loosest binding first:
 * conditional (`x if c else y`, `c ? x : y`) < `or`/`||` < `and`/`&&` < `not` < comparisons
 * (`== != < <= > >= in, not in, is, is not`, chained as in Python) < `+ -` < `* / // %`
 * < unary `- + !` < postfix (`.name`, `[index]`, `[start:end]`, `.method(...)`) < primary.
 */
export function parseExpression(source: string): ExpressionNode {
  return new Parser(tokenize(source)).parse();
}

class Parser {
  readonly #tokens: Token[];
  #position = 0;
  #depth = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): ExpressionNode {
    if (this.#peek().kind === 'end') throw new MapExpressionError('empty expression', 1);
    const node = this.#conditional();
    const next = this.#peek();
    if (next.kind !== 'end') throw this.#unexpected(next);
    return node;
  }

  #conditional(): ExpressionNode {
    if (++this.#depth > MAX_NESTING) throw new MapExpressionError(`expression nested deeper than ${MAX_NESTING} levels`, this.#peek().column);
    try {
      const body = this.#or();
      if (this.#acceptKeyword('if')) {
        const test = this.#or();
        this.#expectKeyword('else');
        const alternate = this.#conditional();
        return { kind: 'conditional', test, consequent: body, alternate, column: body.column };
      }
      if (this.#acceptOperator('?')) {
        const consequent = this.#conditional();
        this.#expectOperator(':');
        const alternate = this.#conditional();
        return { kind: 'conditional', test: body, consequent, alternate, column: body.column };
      }
      return body;
    } finally {
      this.#depth--;
    }
  }

  #or(): ExpressionNode {
    let left = this.#and();
    for (let token = this.#peek(); this.#acceptKeyword('or') || this.#acceptOperator('||'); token = this.#peek()) {
      left = { kind: 'logical', operator: 'or', left, right: this.#and(), column: token.column };
    }
    return left;
  }

  #and(): ExpressionNode {
    let left = this.#not();
    for (let token = this.#peek(); this.#acceptKeyword('and') || this.#acceptOperator('&&'); token = this.#peek()) {
      left = { kind: 'logical', operator: 'and', left, right: this.#not(), column: token.column };
    }
    return left;
  }

  #not(): ExpressionNode {
    const token = this.#peek();
    if (this.#acceptKeyword('not')) return { kind: 'unary', operator: 'not', operand: this.#not(), column: token.column };
    return this.#comparison();
  }

  #comparison(): ExpressionNode {
    const first = this.#additive();
    const steps: ComparisonStep[] = [];
    for (;;) {
      const token = this.#peek();
      const operator = this.#comparisonOperator();
      if (operator === undefined) break;
      steps.push({ operator, operand: this.#additive(), column: token.column });
    }
    return steps.length === 0 ? first : { kind: 'comparison', first, steps, column: first.column };
  }

  #comparisonOperator(): ComparisonOperator | undefined {
    const token = this.#peek();
    if (token.kind === 'operator' && COMPARISON_OPERATORS.has(token.text)) {
      this.#position++;
      return token.text as ComparisonOperator;
    }
    if (this.#acceptKeyword('in')) return 'in';
    if (this.#acceptKeyword('is')) return this.#acceptKeyword('not') ? 'is not' : 'is';
    if (token.kind === 'keyword' && token.text === 'not' && this.#isKeyword(this.#peek(1), 'in')) {
      this.#position += 2;
      return 'not in';
    }
    return undefined;
  }

  #additive(): ExpressionNode {
    let left = this.#multiplicative();
    for (;;) {
      const token = this.#peek();
      if (!this.#acceptOperator('+') && !this.#acceptOperator('-')) return left;
      left = { kind: 'arithmetic', operator: token.text as '+' | '-', left, right: this.#multiplicative(), column: token.column };
    }
  }

  #multiplicative(): ExpressionNode {
    let left = this.#unary();
    for (;;) {
      const token = this.#peek();
      if (!this.#acceptOperator('*') && !this.#acceptOperator('/') && !this.#acceptOperator('//') && !this.#acceptOperator('%')) return left;
      left = { kind: 'arithmetic', operator: token.text as '*' | '/' | '//' | '%', left, right: this.#unary(), column: token.column };
    }
  }

  #unary(): ExpressionNode {
    const token = this.#peek();
    if (this.#acceptOperator('-') || this.#acceptOperator('+')) {
      const operand = this.#unary();
      // Folding `-1` into a literal lets `parts[-1]` be typed from the array's items.
      if (operand.kind === 'literal' && typeof operand.value === 'number') {
        return { ...operand, value: token.text === '-' ? -operand.value : operand.value, column: token.column };
      }
      return { kind: 'unary', operator: token.text as '-' | '+', operand, column: token.column };
    }
    if (this.#acceptOperator('!')) return { kind: 'unary', operator: 'not', operand: this.#unary(), column: token.column };
    return this.#postfix();
  }

  #postfix(): ExpressionNode {
    let node = this.#primary();
    for (;;) {
      const token = this.#peek();
      if (this.#acceptOperator('.')) {
        const name = this.#next();
        if (name.kind !== 'name' && name.kind !== 'keyword') throw new MapExpressionError(`expected a property name after "."`, name.column);
        if (this.#acceptOperator('(')) {
          node = { kind: 'method', receiver: node, method: name.text, args: this.#arguments(), column: name.column };
        } else {
          node = { kind: 'member', object: node, key: { kind: 'literal', value: name.text, isInteger: false, column: name.column }, column: name.column };
        }
      } else if (this.#acceptOperator('[')) {
        node = this.#indexOrSlice(node, token.column);
      } else if (this.#isOperator(token, '(')) {
        throw new MapExpressionError('only functions from the allow-list can be called, by name (e.g. md5(email))', token.column);
      } else {
        return node;
      }
    }
  }

  #indexOrSlice(object: ExpressionNode, column: number): ExpressionNode {
    const start = this.#isOperator(this.#peek(), ':') ? undefined : this.#conditional();
    if (!this.#acceptOperator(':')) {
      this.#expectOperator(']');
      return { kind: 'member', object, key: start as ExpressionNode, column };
    }
    const end = this.#isOperator(this.#peek(), ']') ? undefined : this.#conditional();
    this.#expectOperator(']');
    return { kind: 'slice', object, start, end, column };
  }

  #primary(): ExpressionNode {
    const token = this.#next();
    const column = token.column;
    switch (token.kind) {
      case 'number': {
        const isInteger = /^\d+$/.test(token.text);
        return { kind: 'literal', value: Number(token.text), isInteger, column };
      }
      case 'string':
        return { kind: 'literal', value: token.text, isInteger: false, column };
      case 'keyword':
        if (token.text === 'True' || token.text === 'true') return { kind: 'literal', value: true, isInteger: false, column };
        if (token.text === 'False' || token.text === 'false') return { kind: 'literal', value: false, isInteger: false, column };
        if (token.text === 'None' || token.text === 'null') return { kind: 'literal', value: null, isInteger: false, column };
        throw this.#unexpected(token);
      case 'name':
        if (this.#acceptOperator('(')) return { kind: 'call', callee: token.text, args: this.#arguments(), column };
        return { kind: 'name', name: token.text, column };
      case 'operator':
        if (token.text === '(') {
          const inner = this.#conditional();
          this.#expectOperator(')');
          return inner;
        }
        if (token.text === '[') return { kind: 'list', items: this.#sequence(']'), column };
        throw this.#unexpected(token);
      case 'end':
        throw this.#unexpected(token);
    }
  }

  /** After `(`: comma-separated arguments up to `)`. */
  #arguments(): ExpressionNode[] {
    return this.#sequence(')');
  }

  #sequence(close: string): ExpressionNode[] {
    const items: ExpressionNode[] = [];
    while (!this.#acceptOperator(close)) {
      items.push(this.#conditional());
      if (this.#acceptOperator(close)) break;
      this.#expectOperator(',');
    }
    return items;
  }

  #peek(offset = 0): Token {
    return this.#tokens[Math.min(this.#position + offset, this.#tokens.length - 1)] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#position++;
    return token;
  }

  #isOperator(token: Token, text: string): boolean {
    return token.kind === 'operator' && token.text === text;
  }

  #isKeyword(token: Token, text: string): boolean {
    return token.kind === 'keyword' && token.text === text;
  }

  #acceptOperator(text: string): boolean {
    if (!this.#isOperator(this.#peek(), text)) return false;
    this.#position++;
    return true;
  }

  #acceptKeyword(text: string): boolean {
    if (!this.#isKeyword(this.#peek(), text)) return false;
    this.#position++;
    return true;
  }

  #expectOperator(text: string): void {
    const token = this.#peek();
    if (!this.#acceptOperator(text)) throw new MapExpressionError(`expected "${text}" but found ${describe(token)}`, token.column);
  }

  #expectKeyword(text: string): void {
    const token = this.#peek();
    if (!this.#acceptKeyword(text)) throw new MapExpressionError(`expected "${text}" but found ${describe(token)}`, token.column);
  }

  #unexpected(token: Token): MapExpressionError {
    return new MapExpressionError(`unexpected ${describe(token)}`, token.column);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of expression';
    case 'string':
      return 'string';
    default:
      return `"${token.text}"`;
  }
}
