export { StreamMapper, type StreamMapperOptions } from './mapper.js';
export type { StreamMap, StreamMapsConfig } from './config.js';
export { MapEvaluationError, SkippableMapEvaluationError, type MapFailure } from './errors.js';
export { compileExpression, type CompileOptions, type CompiledExpression } from './expression.js';
export { MapExpressionError } from './expression-error.js';
export { streamMapSecrets, STREAM_MAP_FUNCTIONS } from './secrets.js';
