import { ConfigError } from '../errors.js';
import { expressionConfigError, mapConfigError } from './errors.js';
import { compileExpression, type CompiledExpression } from './expression.js';
import { MapExpressionError } from './expression-error.js';
import { isPlainRecord } from './values.js';

/** One stream's entry in `stream_maps`. Any other key is a property: an expression, or `null` to drop it. */
export interface StreamMap {
  /** Emit the stream under this name. */
  __alias__?: string;
  /** This entry is a new stream, copied from the named input stream. */
  __source__?: string;
  /** Records for which this expression is falsy are dropped. */
  __filter__?: string;
  /** Replaces the stream's key properties; `null` for none. */
  __key_properties__?: string[] | null;
  /** `null`: drop the properties this map does not mention (key properties are kept). */
  __else__?: null;
  [property: string]: string | string[] | null | undefined;
}

export interface StreamMapsConfig {
  /** Stream name (or glob with `*` and `?`) → map, or `null` to drop the stream. `"__else__": null` drops unmapped streams. */
  stream_maps?: Record<string, StreamMap | null> | null;
  /** Values that expressions read as `config['key']`, such as a hash salt. Treated as secrets. */
  stream_map_config?: Record<string, unknown> | null;
}

/** Meltano's spelling of `null` for configuration formats that cannot express it. */
export const NULL_STRING = '__NULL__';

export type PropertyRule =
  | { readonly kind: 'drop'; readonly name: string }
  | { readonly kind: 'expression'; readonly name: string; readonly expression: CompiledExpression };

export interface StreamMapDefinition {
  /** The key in `stream_maps`, for messages. */
  readonly key: string;
  /** The input stream this entry applies to (a glob when `pattern` is set). */
  readonly source: string;
  readonly pattern: RegExp | undefined;
  /** The output stream's name; `undefined` to keep the input stream's name. */
  readonly alias: string | undefined;
  /** `false` for `__source__` entries, which add a stream instead of replacing one. */
  readonly primary: boolean;
  readonly drop: boolean;
  readonly filter: CompiledExpression | undefined;
  readonly keyProperties: readonly string[] | undefined;
  readonly keepUnmapped: boolean;
  readonly properties: readonly PropertyRule[];
}

export interface LoadedStreamMaps {
  readonly definitions: readonly StreamMapDefinition[];
  readonly dropUnmappedStreams: boolean;
  readonly mapConfig: Readonly<Record<string, unknown>>;
}

const OPTION_KEYS = ['__alias__', '__source__', '__filter__', '__key_properties__', '__else__'];
const GLOB_CHARACTERS = /[*?]/;

function isNull(value: unknown): boolean {
  return value === null || value === NULL_STRING;
}

/** Validates and compiles `stream_maps`; every configuration mistake surfaces here as a ConfigError. */
export function loadStreamMaps(config: StreamMapsConfig): LoadedStreamMaps {
  const rawMaps: unknown = config.stream_maps ?? {};
  const rawMapConfig: unknown = config.stream_map_config ?? {};
  if (!isPlainRecord(rawMaps)) throw new ConfigError('stream_maps must be an object');
  if (!isPlainRecord(rawMapConfig)) throw new ConfigError('stream_map_config must be an object');

  let dropUnmappedStreams = false;
  const definitions: StreamMapDefinition[] = [];
  for (const [key, value] of Object.entries(rawMaps)) {
    if (key === '__else__') {
      if (!isNull(value)) throw new ConfigError('stream_maps.__else__ supports only null (drop every stream not named in stream_maps)');
      dropUnmappedStreams = true;
      continue;
    }
    if (/^__.*__$/.test(key)) throw new ConfigError(`stream_maps: unknown option "${key}" (only __else__ is allowed at this level)`);
    definitions.push(loadStreamMap(key, value, rawMapConfig));
  }
  checkOutputNames(definitions);
  return { definitions, dropUnmappedStreams, mapConfig: rawMapConfig };
}

function loadStreamMap(key: string, value: unknown, mapConfig: Readonly<Record<string, unknown>>): StreamMapDefinition {
  if (key === '') throw new ConfigError('stream_maps: stream name must not be empty');
  const pattern = GLOB_CHARACTERS.test(key) ? globPattern(key) : undefined;
  const base = { key, source: key, pattern, alias: undefined, primary: true, filter: undefined, keyProperties: undefined, keepUnmapped: true, properties: [] };
  if (isNull(value)) return { ...base, drop: true };
  if (!isPlainRecord(value)) throw mapConfigError(key, undefined, 'must be an object, or null to drop the stream');

  const alias = optionalName(key, value, '__alias__');
  const source = optionalName(key, value, '__source__');
  if (alias !== undefined && source !== undefined) throw mapConfigError(key, undefined, '__alias__ and __source__ cannot be combined (the key of a __source__ entry is already its name)');
  if (pattern !== undefined && (alias !== undefined || source !== undefined)) {
    throw mapConfigError(key, undefined, `a pattern cannot take ${alias !== undefined ? '__alias__' : '__source__'}: every matching stream would be written under one name`);
  }

  const properties: PropertyRule[] = [];
  for (const [name, rule] of Object.entries(value)) {
    if (OPTION_KEYS.includes(name)) continue;
    if (/^__.*__$/.test(name)) throw mapConfigError(key, name, `unknown option (expected one of ${OPTION_KEYS.join(', ')})`);
    if (isNull(rule)) {
      properties.push({ kind: 'drop', name });
    } else if (typeof rule === 'string') {
      properties.push({ kind: 'expression', name, expression: compile(key, name, rule, mapConfig, true) });
    } else {
      throw mapConfigError(key, name, `must be an expression string, or null to drop the property (got ${describeType(rule)}; write a constant as a string, e.g. "2" or "'text'")`);
    }
  }

  const filter = value.__filter__;
  if (filter !== undefined && typeof filter !== 'string') throw mapConfigError(key, '__filter__', `must be an expression string (got ${describeType(filter)})`);
  const elseRule = value.__else__;
  if (elseRule !== undefined && !isNull(elseRule)) throw mapConfigError(key, '__else__', 'supports only null (drop the properties this map does not mention)');

  return {
    ...base,
    source: source ?? key,
    alias,
    primary: source === undefined,
    drop: false,
    filter: filter === undefined ? undefined : compile(key, '__filter__', filter, mapConfig, false),
    keyProperties: loadKeyProperties(key, value.__key_properties__),
    keepUnmapped: elseRule === undefined,
    properties,
  };
}

function compile(key: string, property: string, source: string, config: Readonly<Record<string, unknown>>, allowSelf: boolean): CompiledExpression {
  try {
    return compileExpression(source, { config, allowSelf });
  } catch (error) {
    if (error instanceof MapExpressionError) throw expressionConfigError(key, property, source, error.reason, error.column);
    throw error;
  }
}

function optionalName(key: string, map: Readonly<Record<string, unknown>>, option: '__alias__' | '__source__'): string | undefined {
  const value = map[option];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw mapConfigError(key, undefined, `${option} must be a non-empty stream name`);
  if (GLOB_CHARACTERS.test(value)) throw mapConfigError(key, undefined, `${option} must be a stream name, not a pattern ("${value}")`);
  return value;
}

function loadKeyProperties(key: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (isNull(value)) return [];
  if (!Array.isArray(value) || !value.every((name): name is string => typeof name === 'string' && name !== '')) {
    throw mapConfigError(key, '__key_properties__', 'must be a list of property names, or null for no key');
  }
  if (new Set(value).size !== value.length) throw mapConfigError(key, '__key_properties__', 'lists a property twice');
  return value;
}

function checkOutputNames(definitions: readonly StreamMapDefinition[]): void {
  const producers = new Map<string, string>();
  for (const definition of definitions) {
    if (definition.drop || definition.pattern !== undefined) continue;
    const output = definition.primary ? (definition.alias ?? definition.key) : definition.key;
    const other = producers.get(output);
    if (other !== undefined) throw new ConfigError(`stream_maps: entries "${other}" and "${definition.key}" would both write stream "${output}"`);
    producers.set(output, definition.key);
  }
}

/** `*` matches any run of characters, `?` one character; everything else is literal. */
function globPattern(glob: string): RegExp {
  const body = Array.from(glob, (char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
