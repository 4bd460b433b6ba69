import type { JsonSchema, RecordMessage, SchemaMessage } from '../protocol/messages.js';
import type { StreamMapDefinition } from './config.js';
import { expressionConfigError, mapConfigError, type MapFailure } from './errors.js';
import type { CompiledExpression } from './expression.js';
import { ExpressionEvaluationError } from './expression-error.js';
import { isTruthy, ownValue } from './values.js';

interface ComputedProperty {
  readonly name: string;
  readonly expression: CompiledExpression;
}

const MAX_LISTED_PROPERTIES = 30;

/**
 * One output stream of one input stream: the input itself (possibly aliased, filtered,
 * reshaped) or a `__source__` copy. Compiled once; `mapRecord` is the per-record hot path.
 */
export class OutputStream {
  readonly name: string;
  readonly inputStream: string;
  /** Neither filters nor reshapes records (it may rename the stream or change its keys). */
  readonly passesRecordsThrough: boolean;
  readonly #definition: StreamMapDefinition | undefined;
  readonly #filter: CompiledExpression | undefined;
  readonly #dropped: ReadonlySet<string>;
  readonly #computed: readonly ComputedProperty[];
  readonly #onFailure: (failure: MapFailure) => Error;
  /** Key properties of the input stream, from its latest SCHEMA. */
  #inputKeys: readonly string[] = [];
  /** With `__else__: null`: the input properties copied as they are (the keys not otherwise mapped). */
  #keptKeys: readonly string[] = [];

  constructor(inputStream: string, name: string, definition: StreamMapDefinition | undefined, onFailure: (failure: MapFailure) => Error) {
    this.inputStream = inputStream;
    this.name = name;
    this.#definition = definition;
    this.#onFailure = onFailure;
    this.#filter = definition?.filter;
    const dropped = new Set<string>();
    const computed: ComputedProperty[] = [];
    for (const rule of definition?.properties ?? []) {
      if (rule.kind === 'drop') dropped.add(rule.name);
      else computed.push({ name: rule.name, expression: rule.expression });
    }
    this.#dropped = dropped;
    this.#computed = computed;
    this.passesRecordsThrough = definition === undefined || (definition.filter === undefined && definition.properties.length === 0 && definition.keepUnmapped);
    this.#keptKeys = this.#keysToKeep([]);
  }

  get isIdentity(): boolean {
    return this.passesRecordsThrough && this.name === this.inputStream && this.#definition?.keyProperties === undefined;
  }

  mapSchema(message: SchemaMessage): SchemaMessage {
    this.#inputKeys = message.key_properties ?? [];
    this.#keptKeys = this.#keysToKeep(this.#inputKeys);
    const definition = this.#definition;
    if (definition === undefined || this.isIdentity) return this.name === message.stream ? message : { ...message, stream: this.name };

    const source = message.schema;
    this.#checkReferences(definition, source);
    for (const key of this.#inputKeys) {
      if (definition.keyProperties === undefined && this.#dropped.has(key)) {
        throw mapConfigError(definition.key, key, `drops key property "${key}" of stream "${this.inputStream}"; set __key_properties__ to the new key (or null for none)`);
      }
    }

    const properties: Record<string, JsonSchema> = {};
    const sourceProperties = source.properties;
    if (definition.keepUnmapped) {
      for (const [name, schema] of Object.entries(sourceProperties ?? {})) if (!this.#dropped.has(name)) defineOwn(properties, name, structuredClone(schema));
    } else {
      for (const name of this.#keptKeys) if (sourceProperties !== undefined && Object.hasOwn(sourceProperties, name)) defineOwn(properties, name, structuredClone(sourceProperties[name]));
    }
    for (const { name, expression } of this.#computed) defineOwn(properties, name, expression.resultSchema(source, name));

    const keys = definition.keyProperties ?? this.#inputKeys;
    const schemaKnown = sourceProperties !== undefined;
    for (const key of keys) {
      if (schemaKnown && !Object.hasOwn(properties, key)) {
        throw mapConfigError(definition.key, '__key_properties__', `key property "${key}" is not a property of output stream "${this.name}"`);
      }
    }

    const { properties: _sourceProperties, required, ...rest } = source;
    const schema: JsonSchema = { ...structuredClone(rest), properties };
    if (required !== undefined) {
      const stillPresent = (name: string) => Object.hasOwn(properties, name) || (!schemaKnown && definition.keepUnmapped && !this.#dropped.has(name));
      schema.required = required.filter(stillPresent);
    }
    const mapped: SchemaMessage = { ...message, stream: this.name, schema, key_properties: [...keys] };
    if (message.bookmark_properties !== undefined) {
      const bookmarks = message.bookmark_properties.filter((name) => !schemaKnown || Object.hasOwn(properties, name));
      if (bookmarks.length > 0) mapped.bookmark_properties = bookmarks;
      else delete mapped.bookmark_properties;
    }
    return mapped;
  }

  /** The mapped message, or `undefined` when the filter rejects the record. The input is never modified. */
  mapRecord(message: RecordMessage): RecordMessage | undefined {
    if (this.passesRecordsThrough) return this.name === message.stream ? message : { ...message, stream: this.name };
    const record = message.record;
    let current: ComputedProperty | undefined;
    try {
      if (this.#filter !== undefined && !isTruthy(this.#filter.evaluate(record, null))) return undefined;
      const output = this.#definition?.keepUnmapped === false ? this.#pick(record) : this.#copyWithoutDropped(record);
      for (current of this.#computed) {
        const { name, expression } = current;
        defineOwn(output, name, expression.evaluate(record, expression.usesSelf ? ownValue(record, name) : null));
      }
      return { ...message, stream: this.name, record: output };
    } catch (error) {
      if (!(error instanceof ExpressionEvaluationError)) throw error;
      throw this.#onFailure({
        inputStream: this.inputStream,
        outputStream: this.name,
        property: current?.name ?? '__filter__',
        expression: (current?.expression ?? this.#filter)?.source ?? '',
        column: error.column,
        reason: error.reason,
        recordKey: this.#inputKeys.length === 0 ? undefined : Object.fromEntries(this.#inputKeys.map((key) => [key, ownValue(record, key)])),
      });
    }
  }

  #copyWithoutDropped(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
    if (this.#dropped.size === 0) return { ...record };
    const output: Record<string, unknown> = {};
    for (const key of Object.keys(record)) if (!this.#dropped.has(key)) defineOwn(output, key, record[key]);
    return output;
  }

  #pick(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const output: Record<string, unknown> = {};
    for (const key of this.#keptKeys) if (Object.hasOwn(record, key)) defineOwn(output, key, record[key]);
    return output;
  }

  #keysToKeep(inputKeys: readonly string[]): readonly string[] {
    const keys = this.#definition?.keyProperties ?? inputKeys;
    return keys.filter((key) => !this.#dropped.has(key) && !this.#computed.some((property) => property.name === key));
  }

  /** Unknown names can only be caught once the stream's properties are known, i.e. here, before any record. */
  #checkReferences(definition: StreamMapDefinition, source: JsonSchema): void {
    const properties = source.properties;
    if (properties === undefined || source.additionalProperties === true || typeof source.additionalProperties === 'object') return;
    const known = (name: string) => Object.hasOwn(properties, name);
    const check = (property: string, expression: CompiledExpression) => {
      for (const reference of expression.references) {
        if (known(reference.name)) continue;
        const names = Object.keys(properties);
        const listed = names.slice(0, MAX_LISTED_PROPERTIES).join(', ') + (names.length > MAX_LISTED_PROPERTIES ? ', ...' : '');
        throw expressionConfigError(definition.key, property, expression.source, `unknown property "${reference.name}" (stream "${this.inputStream}" has: ${listed})`, reference.column);
      }
      if (expression.usesSelf && property !== '__filter__' && !known(property)) {
        throw mapConfigError(definition.key, property, `"self" refers to property "${property}", which stream "${this.inputStream}" does not have`);
      }
    };
    if (definition.filter !== undefined) check('__filter__', definition.filter);
    for (const { name, expression } of this.#computed) check(name, expression);
  }
}

/** Assignment would run the `__proto__` setter for a property of that name; define it as data instead. */
function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
