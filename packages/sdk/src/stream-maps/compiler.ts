import type { ExpressionNode, LiteralNode, MemberNode } from './ast.js';
import { ExpressionEvaluationError, MapExpressionError, ValueError } from './expression-error.js';
import { FUNCTIONS, METHODS, type FunctionDefinition } from './functions.js';
import { add, arithmetic, contains, deepEqual, isTruthy, negate, order, ownValue, readMember, sliceValue } from './values.js';

/** A compiled expression: a closure over the record (and the mapped property's current value). */
export type Evaluator = (record: Readonly<Record<string, unknown>>, self: unknown) => unknown;

export interface PropertyReference {
  readonly name: string;
  readonly column: number;
}

export interface CompileScope {
  /** `stream_map_config`: keys are checked when compiling, values are captured as constants. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Property expressions may use `self`; `__filter__` may not. */
  readonly allowSelf: boolean;
}

export interface CompiledTree {
  readonly evaluate: Evaluator;
  /** Record properties the expression reads, to check against the stream's schema. */
  readonly references: readonly PropertyReference[];
  readonly usesSelf: boolean;
}

/** Names with a meaning of their own; a record property with one of these names is read as `record['name']`. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['record', '_', 'self', 'config']);

export function compileTree(root: ExpressionNode, scope: CompileScope): CompiledTree {
  const references: PropertyReference[] = [];
  let usesSelf = false;

  const compile = (node: ExpressionNode): Evaluator => {
    switch (node.kind) {
      case 'literal': {
        const value = node.value;
        return () => value;
      }
      case 'list': {
        const items = node.items.map(compile);
        return (record, self) => items.map((item) => item(record, self));
      }
      case 'name':
        return compileName(node.name, node.column);
      case 'member':
        return compileMember(node);
      case 'slice': {
        const object = compile(node.object);
        const start = node.start === undefined ? () => null : compile(node.start);
        const end = node.end === undefined ? () => null : compile(node.end);
        return guarded(node.column, 'slice', (record, self) => sliceValue(object(record, self), start(record, self), end(record, self)));
      }
      case 'call': {
        const definition = FUNCTIONS.get(node.callee);
        if (definition === undefined) {
          throw new MapExpressionError(`unknown function "${node.callee}" (available: ${[...FUNCTIONS.keys()].join(', ')})`, node.column);
        }
        return compileCall(node.callee, definition, node.args, node.column);
      }
      case 'method': {
        const functionName = METHODS.get(node.method);
        const definition = functionName === undefined ? undefined : FUNCTIONS.get(functionName);
        if (functionName === undefined || definition === undefined) {
          const available = [...METHODS.keys()].map((name) => `.${name}()`).join(', ');
          throw new MapExpressionError(`unknown method ".${node.method}()" (available: ${available})`, node.column);
        }
        return compileCall(`.${node.method}`, definition, [node.receiver, ...node.args], node.column);
      }
      case 'unary': {
        const operand = compile(node.operand);
        if (node.operator === 'not') return (record, self) => !isTruthy(operand(record, self));
        const operator = node.operator;
        return guarded(node.column, undefined, (record, self) => negate(operand(record, self), operator));
      }
      case 'arithmetic': {
        const left = compile(node.left);
        const right = compile(node.right);
        const operator = node.operator;
        if (operator === '+') return guarded(node.column, undefined, (record, self) => add(left(record, self), right(record, self)));
        return guarded(node.column, undefined, (record, self) => arithmetic(operator, left(record, self), right(record, self)));
      }
      case 'logical': {
        const left = compile(node.left);
        const right = compile(node.right);
        // Python semantics: the deciding operand itself is the result (`name or 'unknown'`).
        if (node.operator === 'and') {
          return (record, self) => {
            const value = left(record, self);
            return isTruthy(value) ? right(record, self) : value;
          };
        }
        return (record, self) => {
          const value = left(record, self);
          return isTruthy(value) ? value : right(record, self);
        };
      }
      case 'comparison': {
        const first = compile(node.first);
        const steps = node.steps.map((step) => ({ test: comparator(step.operator, step.column), operand: compile(step.operand) }));
        return (record, self) => {
          let left = first(record, self);
          for (const step of steps) {
            const right = step.operand(record, self);
            if (!step.test(left, right)) return false;
            left = right;
          }
          return true;
        };
      }
      case 'conditional': {
        const test = compile(node.test);
        const consequent = compile(node.consequent);
        const alternate = compile(node.alternate);
        return (record, self) => (isTruthy(test(record, self)) ? consequent(record, self) : alternate(record, self));
      }
    }
  };

  const compileName = (name: string, column: number): Evaluator => {
    switch (name) {
      case 'record':
      case '_':
        return (record) => record;
      case 'self':
        if (!scope.allowSelf) throw new MapExpressionError('"self" is only available in property expressions', column);
        usesSelf = true;
        return (_record, self) => self;
      case 'config':
        throw new MapExpressionError(`read stream_map_config values by key, e.g. config['hash_seed']`, column);
      default:
        references.push({ name, column });
        return (record) => ownValue(record, name);
    }
  };

  const compileMember = (node: MemberNode): Evaluator => {
    const literalKey = node.key.kind === 'literal' ? node.key : undefined;
    if (node.object.kind === 'name' && node.object.name === 'config') return compileConfigRead(literalKey, node.key.column);
    if (node.object.kind === 'name' && (node.object.name === 'record' || node.object.name === '_') && typeof literalKey?.value === 'string') {
      const name = literalKey.value;
      references.push({ name, column: literalKey.column });
      return (record) => ownValue(record, name);
    }
    const object = compile(node.object);
    if (literalKey !== undefined) {
      const key = literalKey.value;
      return guarded(node.column, undefined, (record, self) => readMember(object(record, self), key));
    }
    const key = compile(node.key);
    return guarded(node.column, undefined, (record, self) => readMember(object(record, self), key(record, self)));
  };

  const compileConfigRead = (key: LiteralNode | undefined, column: number): Evaluator => {
    if (typeof key?.value !== 'string') throw new MapExpressionError(`config must be indexed with a string literal, e.g. config['hash_seed']`, column);
    const name = key.value;
    if (!Object.hasOwn(scope.config, name)) throw new MapExpressionError(`stream_map_config has no key "${name}"`, column);
    const value = scope.config[name];
    return () => value;
  };

  const compileCall = (label: string, definition: FunctionDefinition, argNodes: readonly ExpressionNode[], column: number): Evaluator => {
    if (argNodes.length < definition.minArgs || argNodes.length > definition.maxArgs) {
      throw new MapExpressionError(`${label}() takes ${describeArity(definition)}, got ${argNodes.length}`, column);
    }
    const args = argNodes.map(compile);
    const call = definition.call;
    return guarded(column, `${label}()`, (record, self) => {
      const values: unknown[] = new Array<unknown>(args.length);
      for (let index = 0; index < args.length; index++) values[index] = (args[index] as Evaluator)(record, self);
      return call(values);
    });
  };

  const evaluate = compile(root);
  return { evaluate, references, usesSelf };
}

function comparator(operator: string, column: number): (left: unknown, right: unknown) => boolean {
  const located = (test: (left: unknown, right: unknown) => boolean) => (left: unknown, right: unknown) => {
    try {
      return test(left, right);
    } catch (error) {
      throw relocate(error, column, undefined);
    }
  };
  switch (operator) {
    case '==':
    case 'is':
      return deepEqual;
    case '!=':
    case 'is not':
      return (left, right) => !deepEqual(left, right);
    case 'in':
      return located((left, right) => contains(right, left));
    case 'not in':
      return located((left, right) => !contains(right, left));
    default:
      return located((left, right) => order(operator as '<' | '<=' | '>' | '>=', left, right));
  }
}

/** Turns a ValueError thrown by an operation into an ExpressionEvaluationError that points at the operation. */
function guarded(column: number, label: string | undefined, evaluate: Evaluator): Evaluator {
  return (record, self) => {
    try {
      return evaluate(record, self);
    } catch (error) {
      throw relocate(error, column, label);
    }
  };
}

function relocate(error: unknown, column: number, label: string | undefined): unknown {
  if (!(error instanceof ValueError)) return error;
  return new ExpressionEvaluationError(label === undefined ? error.message : `${label}: ${error.message}`, column);
}

function describeArity({ minArgs, maxArgs }: FunctionDefinition): string {
  const plural = (count: number) => `${count} argument${count === 1 ? '' : 's'}`;
  if (minArgs === maxArgs) return plural(minArgs);
  if (maxArgs === Number.POSITIVE_INFINITY) return `at least ${plural(minArgs)}`;
  return `${minArgs} to ${maxArgs} arguments`;
}
