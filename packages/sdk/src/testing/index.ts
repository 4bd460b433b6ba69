import { PassThrough } from 'node:stream';
import type { Catalog } from '../catalog.js';
import type { Config } from '../config.js';
import { memoryLogger } from '../logging.js';
import type { RecordMessage, SchemaMessage, SingerMessage, StateMessage } from '../protocol/messages.js';
import { readMessages } from '../protocol/reader.js';
import { SingerWriter } from '../protocol/writer.js';
import { StreamMapper } from '../stream-maps/index.js';
import { discover, sync, type SyncSummary } from '../sync.js';
import type { Tap } from '../tap.js';

export { checkTapConformance, type ConformanceOptions } from './conformance.js';

export interface TapRun {
  messages: SingerMessage[];
  /** Every line as written, for byte-level assertions. */
  lines: string[];
  logLines: string[];
  summary: SyncSummary;
  schemas: Map<string, SchemaMessage>;
  records(stream: string): Record<string, unknown>[];
  recordMessages(stream: string): RecordMessage[];
  states: unknown[];
  finalState: unknown;
}

/**
 * Runs a tap's sync in-process and collects what it wrote. The output goes back through the
 * SDK's Singer reader, so a run that succeeds here also produced valid Singer lines.
 */
export async function runTap<C extends Config>(tap: Tap<C>, options: { config: C; catalog?: Catalog; state?: unknown }): Promise<TapRun> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const logger = memoryLogger(tap.name);
  const writer = new SingerWriter(output);
  const mapper = new StreamMapper({ stream_maps: options.config.stream_maps as never, stream_map_config: options.config.stream_map_config as never });
  const summary = await sync(tap, { config: options.config, catalog: options.catalog, state: options.state, writer, logger, mapper });
  output.end();
  const text = Buffer.concat(chunks).toString('utf8');
  const messages: SingerMessage[] = [];
  for await (const { message } of readMessages(PassThrough.from([text]), { sourceName: `${tap.name} output` })) messages.push(message);
  const schemas = new Map<string, SchemaMessage>();
  for (const m of messages) if (m.type === 'SCHEMA') schemas.set(m.stream, m);
  const recordMessages = (stream: string) => messages.filter((m): m is RecordMessage => m.type === 'RECORD' && m.stream === stream);
  const states = messages.filter((m): m is StateMessage => m.type === 'STATE').map((m) => m.value);
  return {
    messages,
    lines: text.split('\n').filter((line) => line !== ''),
    logLines: logger.lines,
    summary,
    schemas,
    recordMessages,
    records: (stream) => recordMessages(stream).map((m) => m.record),
    states,
    finalState: states.at(-1),
  };
}

export async function discoverTap<C extends Config>(tap: Tap<C>, config: C): Promise<Catalog> {
  return discover(tap, config, memoryLogger(tap.name));
}

/** A catalog selecting the given streams (all their fields), for tests. */
export function selectStreams(catalog: Catalog, streams: string[]): Catalog {
  const copy = structuredClone(catalog);
  for (const entry of copy.streams) {
    const root = entry.metadata.find((m) => m.breadcrumb.length === 0);
    if (root) root.metadata.selected = streams.includes(entry.tap_stream_id);
  }
  return copy;
}
