import { ConfigError } from '../errors.js';
import type { ActivateVersionMessage, BatchMessage, RecordMessage, SchemaMessage } from '../protocol/messages.js';
import { loadStreamMaps, type LoadedStreamMaps, type StreamMapDefinition, type StreamMapsConfig } from './config.js';
import { MapEvaluationError, SkippableMapEvaluationError, type MapFailure } from './errors.js';
import { OutputStream } from './output-stream.js';

export interface StreamMapperOptions {
  /**
   * What a failing expression (e.g. `int('abc')`) does to the sync: `'fail'` (default) throws a
   * MapEvaluationError (a FatalError); `'skip'` throws a SkippableMapEvaluationError, so the
   * runtime drops that one record, logs and counts it.
   */
  readonly onEvaluationError?: 'fail' | 'skip';
}

interface Route {
  readonly outputs: readonly OutputStream[];
  /** One output, same name, records untouched: `mapRecord` hands the message back as it is. */
  readonly identity: boolean;
}

/**
 * Applies `stream_maps` to Singer messages: renames, drops, filters, reshapes and duplicates
 * streams. Everything is validated and compiled in the constructor (and, for checks that need
 * a stream's properties, in `mapSchema`); mapping a record runs only precompiled closures.
 */
export class StreamMapper {
  readonly #maps: LoadedStreamMaps;
  readonly #onFailure: (failure: MapFailure) => Error;
  readonly #routes = new Map<string, Route>();
  /** Output stream → the input stream that writes it, to catch two inputs writing one output. */
  readonly #outputOwners = new Map<string, string>();
  readonly #isIdentity: boolean;

  /** Throws ConfigError for any invalid map, naming the stream, the property and, for expressions, the column. */
  constructor(config: StreamMapsConfig = {}, options: StreamMapperOptions = {}) {
    this.#maps = loadStreamMaps(config);
    this.#onFailure = options.onEvaluationError === 'skip' ? (failure) => new SkippableMapEvaluationError(failure) : (failure) => new MapEvaluationError(failure);
    this.#isIdentity = !this.#maps.dropUnmappedStreams && this.#maps.definitions.every(isNoOp);
  }

  /** No map changes anything: callers can skip the mapper entirely. */
  get isIdentity(): boolean {
    return this.#isIdentity;
  }

  /** Names under which an input stream is written: `[]` when dropped, several with `__source__` copies. */
  outputStreams(inputStream: string): string[] {
    return this.#route(inputStream).outputs.map((output) => output.name);
  }

  /** Same as `outputStreams`: the stream names to use for ACTIVATE_VERSION and other per-stream messages. */
  mapStreamName(stream: string): string[] {
    return this.outputStreams(stream);
  }

  /** One SCHEMA per output stream. Checks what needs the stream's properties: unknown names, key properties. */
  mapSchema(message: SchemaMessage): SchemaMessage[] {
    return this.#route(message.stream).outputs.map((output) => output.mapSchema(message));
  }

  /** One RECORD per output stream whose filter accepts it; the input message and record are never modified. */
  mapRecord(message: RecordMessage): RecordMessage[] {
    const route = this.#routes.get(message.stream) ?? this.#route(message.stream);
    if (route.identity) return [message];
    const mapped: RecordMessage[] = [];
    for (const output of route.outputs) {
      const result = output.mapRecord(message);
      if (result !== undefined) mapped.push(result);
    }
    return mapped;
  }

  mapActivateVersion(message: ActivateVersionMessage): ActivateVersionMessage[] {
    return this.outputStreams(message.stream).map((stream) => (stream === message.stream ? message : { ...message, stream }));
  }

  /** BATCH records live in files the mapper does not rewrite, so only renaming, copying and dropping are possible. */
  mapBatch(message: BatchMessage): BatchMessage[] {
    const route = this.#route(message.stream);
    const reshaping = route.outputs.find((output) => !output.passesRecordsThrough);
    if (reshaping !== undefined) {
      throw new ConfigError(
        `stream "${message.stream}": BATCH messages cannot be mapped because the map for output stream "${reshaping.name}" filters or changes records; ` +
          'disable batch messages or limit that map to __alias__, __source__ and __key_properties__',
      );
    }
    return route.outputs.map((output) => (output.name === message.stream ? message : { ...message, stream: output.name }));
  }

  #route(inputStream: string): Route {
    const cached = this.#routes.get(inputStream);
    if (cached !== undefined) return cached;
    const outputs: OutputStream[] = [];
    const primary = this.#primaryDefinition(inputStream);
    if (primary !== undefined) {
      if (!primary.drop) outputs.push(new OutputStream(inputStream, primary.alias ?? inputStream, primary, this.#onFailure));
    } else if (!this.#maps.dropUnmappedStreams) {
      outputs.push(new OutputStream(inputStream, inputStream, undefined, this.#onFailure));
    }
    for (const definition of this.#maps.definitions) {
      if (!definition.primary && definition.source === inputStream) outputs.push(new OutputStream(inputStream, definition.key, definition, this.#onFailure));
    }
    for (const output of outputs) {
      const owner = this.#outputOwners.get(output.name);
      if (owner !== undefined && owner !== inputStream) {
        throw new ConfigError(`stream_maps: streams "${owner}" and "${inputStream}" would both be written as "${output.name}"`);
      }
    }
    for (const output of outputs) this.#outputOwners.set(output.name, inputStream);
    const only = outputs[0];
    const route: Route = { outputs, identity: outputs.length === 1 && only !== undefined && only.isIdentity };
    this.#routes.set(inputStream, route);
    return route;
  }

  /**
   * An entry named exactly like the stream wins; otherwise the most specific matching pattern
   * (most literal characters, so `tmp_*` beats `*`). Equally specific matches are ambiguous.
   */
  #primaryDefinition(inputStream: string): StreamMapDefinition | undefined {
    const primaries = this.#maps.definitions.filter((definition) => definition.primary);
    const exact = primaries.find((definition) => definition.pattern === undefined && definition.source === inputStream);
    if (exact !== undefined) return exact;
    const matching = primaries
      .filter((definition) => definition.pattern?.test(inputStream) === true)
      .sort((a, b) => specificity(b.key) - specificity(a.key));
    const [best, runnerUp] = matching;
    if (best !== undefined && runnerUp !== undefined && specificity(best.key) === specificity(runnerUp.key)) {
      throw new ConfigError(`stream_maps: stream "${inputStream}" matches patterns "${best.key}" and "${runnerUp.key}" equally; add an entry named "${inputStream}" or make one pattern more specific`);
    }
    return best;
  }
}

function specificity(pattern: string): number {
  return pattern.replace(/[*?]/g, '').length;
}

function isNoOp(definition: StreamMapDefinition): boolean {
  return (
    definition.primary &&
    !definition.drop &&
    definition.alias === undefined &&
    definition.filter === undefined &&
    definition.keyProperties === undefined &&
    definition.keepUnmapped &&
    definition.properties.length === 0
  );
}
