/**
 * A stream map expression that cannot be compiled: syntax error, unknown function or name.
 * `column` is 1-based; the stream map loader turns this into a ConfigError naming the stream
 * and the property.
 */
export class MapExpressionError extends Error {
  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super(`${reason} at column ${column}`);
    this.name = 'MapExpressionError';
  }
}

/** An expression failed on one record (e.g. `int('abc')`). `column` locates the failing operation. */
export class ExpressionEvaluationError extends Error {
  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super(`${reason} at column ${column}`);
    this.name = 'ExpressionEvaluationError';
  }
}

/** Thrown by a function body; the evaluator adds the function name and column. */
export class ValueError extends Error {}
