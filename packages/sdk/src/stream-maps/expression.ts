import type { JsonSchema } from '../protocol/messages.js';
import { compileTree, type Evaluator, type PropertyReference } from './compiler.js';
import { toSchema, type InferredType } from './inferred-type.js';
import { parseExpression } from './parser.js';
import { inferType } from './type-inference.js';

export interface CompileOptions {
  /** `stream_map_config`, readable as `config['key']`. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Whether `self` (the mapped property's current value) may be used. */
  readonly allowSelf?: boolean;
}

export interface CompiledExpression {
  readonly source: string;
  /** Evaluates against one record; throws ExpressionEvaluationError when an operation fails on its values. */
  readonly evaluate: Evaluator;
  readonly references: readonly PropertyReference[];
  readonly usesSelf: boolean;
  /** Static type of the result, given the input stream's schema. */
  resultType(sourceSchema: JsonSchema | undefined, selfProperty?: string): InferredType;
  /** JSON Schema of the result: exact when the value passes through, `{}` (any JSON) when unknown. */
  resultSchema(sourceSchema: JsonSchema | undefined, selfProperty?: string): JsonSchema;
}

/**
 * Parses and compiles an expression once, into closures; nothing is ever handed to `eval`.
 * Throws MapExpressionError (with a column) for syntax errors, unknown functions, wrong arity,
 * unknown stream_map_config keys and misplaced `self`.
 */
export function compileExpression(source: string, options: CompileOptions = {}): CompiledExpression {
  const config = options.config ?? {};
  const tree = parseExpression(source);
  const { evaluate, references, usesSelf } = compileTree(tree, { config, allowSelf: options.allowSelf ?? true });
  const resultType = (sourceSchema: JsonSchema | undefined, selfProperty?: string) => inferType(tree, { sourceSchema, selfProperty, config });
  return {
    source,
    evaluate,
    references,
    usesSelf,
    resultType,
    resultSchema: (sourceSchema, selfProperty) => toSchema(resultType(sourceSchema, selfProperty)),
  };
}
