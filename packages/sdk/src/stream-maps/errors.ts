import { ConfigError, FatalError, SkippableRecordError } from '../errors.js';

/** Where in `stream_maps` something is: `stream map "customers", property "email"`, or `..., __filter__` for an option. */
export function mapLocation(streamKey: string, property?: string): string {
  if (property === undefined) return `stream map "${streamKey}"`;
  return `stream map "${streamKey}", ${/^__.*__$/.test(property) ? property : `property "${property}"`}`;
}

export function mapConfigError(streamKey: string, property: string | undefined, reason: string): ConfigError {
  return new ConfigError(`${mapLocation(streamKey, property)}: ${reason}`);
}

export function expressionConfigError(streamKey: string, property: string, expression: string, reason: string, column: number): ConfigError {
  return mapConfigError(streamKey, property, `${reason} at column ${column} of expression ${JSON.stringify(expression)}`);
}

/** What failed when an expression was evaluated on a record. Record values are not included: they may be personal data. */
export interface MapFailure {
  readonly inputStream: string;
  readonly outputStream: string;
  /** The mapped property, or `__filter__`. */
  readonly property: string;
  readonly expression: string;
  readonly column: number;
  readonly reason: string;
  /** The record's key property values (from the input stream's SCHEMA), when known. */
  readonly recordKey: Readonly<Record<string, unknown>> | undefined;
}

export function describeFailure(failure: MapFailure): string {
  const output = failure.outputStream === failure.inputStream ? '' : ` (output stream "${failure.outputStream}")`;
  const key = failure.recordKey === undefined ? '' : `; record key ${JSON.stringify(failure.recordKey)}`;
  return (
    `stream "${failure.inputStream}"${output}, ${failure.property === '__filter__' ? '__filter__' : `property "${failure.property}"`}: ` +
    `${failure.reason} at column ${failure.column} of expression ${JSON.stringify(failure.expression)}${key}`
  );
}

/**
 * An expression failed on a record (e.g. `int('abc')`) and the mapper is set to fail (the
 * default, as in Meltano): a record that cannot be mapped as configured stops the sync rather
 * than silently disappearing from the destination.
 */
export class MapEvaluationError extends FatalError {
  constructor(readonly failure: MapFailure) {
    super(describeFailure(failure));
  }
}

/** The same failure when the mapper was created with `onEvaluationError: 'skip'`: the record is dropped, logged and counted. */
export class SkippableMapEvaluationError extends SkippableRecordError {
  constructor(readonly failure: MapFailure) {
    super(describeFailure(failure));
  }
}
