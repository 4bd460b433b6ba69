/**
 * Reads one query window through a reader, recovering the two ways Salesforce gives up on a
 * query: QUERY_TIMEOUT (the window is halved and both halves read in order, recursively, as
 * singer-io/tap-salesforce does) and results that cannot be read further (a lost cursor, a page
 * that broke off) or a timeout after rows were received (the query is sent again from the last
 * row, exactly, thanks to the (key, Id) order).
 */
import { FatalError, type Logger } from '@singer-io-ts/sdk';
import type { SalesforceClient } from '../client.js';
import { QueryTimeoutError, RequeryError } from '../errors.js';
import { buildSoql, type QuerySpec, type QueryWindow } from '../soql.js';
import { toIsoDatetime } from './convert.js';
import type { QueryReader, QueryRequest, RawRow } from './reader.js';

/** Lower bound for splitting a window that has none: no org has rows before Salesforce existed. */
const HISTORY_FLOOR = Date.parse('1999-01-01T00:00:00.000Z');
/** Windows narrower than this are not split further: the object is too slow to query at all. */
const MIN_WINDOW_MS = 1_000;
/** Re-queries in a row that received nothing before failing again. */
const MAX_FRUITLESS_RETRIES = 3;

export type BaseRequest = Omit<QueryRequest, 'spec' | 'soql'>;

export interface WindowOptions {
  /** Epoch ms; the upper end used to split an open-ended window. */
  now?: () => number;
}

/** Halves of a window, or undefined when it is too narrow to split. */
export function splitWindow(window: QueryWindow, now: number): [QueryWindow, QueryWindow] | undefined {
  const from = window.from !== undefined ? Date.parse(window.from) : HISTORY_FLOOR;
  const to = window.to !== undefined ? Date.parse(window.to) : Math.max(now, from);
  if (!(to - from >= 2 * MIN_WINDOW_MS)) return undefined;
  const mid = new Date(from + Math.floor((to - from) / 2)).toISOString();
  const first: QueryWindow = { ...window, to: mid };
  const second: QueryWindow = { from: mid, ...(window.to !== undefined ? { to: window.to } : {}) };
  return [first, second];
}

function describeWindow(window: QueryWindow): string {
  return `[${window.from ?? 'beginning'}, ${window.to ?? 'now'})`;
}

/** The window that resumes right after `row`, keeping the upper bound. */
function after(row: RawRow, spec: QuerySpec): QueryWindow {
  const id = String(row.Id);
  if (!spec.replicationKey) return { ...spec.window, afterId: id };
  return { ...spec.window, from: String(toIsoDatetime(row[spec.replicationKey])), afterId: id };
}

export async function* readWindow(client: SalesforceClient, reader: QueryReader, base: BaseRequest, spec: QuerySpec, options: WindowOptions = {}): AsyncGenerator<RawRow> {
  const logger: Logger = base.logger;
  let current = spec;
  let fruitless = 0;
  for (;;) {
    let last: RawRow | undefined;
    try {
      for await (const row of reader.read(client, { ...base, spec: current, soql: buildSoql(current) })) {
        last = row;
        yield row;
      }
      return;
    } catch (error) {
      const recoverable = error instanceof QueryTimeoutError || error instanceof RequeryError;
      if (!recoverable) throw error;
      if (last !== undefined) {
        // Rows arrived before the failure: ask again from just after the last one.
        logger.warn(`${spec.object}: ${error.message}; querying again after Id ${String(last.Id)}`);
        current = { ...current, window: after(last, current) };
        fruitless = 0;
        continue;
      }
      if (error instanceof QueryTimeoutError && current.replicationKey) {
        const halves = splitWindow(current.window, (options.now ?? Date.now)());
        if (!halves) throw new QueryTimeoutError(`${spec.object}: queries time out even on the window ${describeWindow(current.window)}: ${error.message}`, { cause: error });
        logger.warn(`${spec.object}: QUERY_TIMEOUT on ${describeWindow(current.window)}; reading it in two halves`);
        for (const half of halves) yield* readWindow(client, reader, base, { ...current, window: half }, options);
        return;
      }
      if (++fruitless > MAX_FRUITLESS_RETRIES) throw new FatalError(`${spec.object}: ${error.message}; ${fruitless} queries in a row read nothing, giving up`, { cause: error });
      logger.warn(`${spec.object}: ${error.message}; querying again`);
    }
  }
}
