/**
 * The small lists read whole each run (programs, emails, landing pages through the Asset API;
 * static lists through `nextPageToken`): a full read also sees deletions.
 */
import type { JsonSchema, StreamContext, StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoClient } from '../client.js';
import type { MarketoConfig } from '../config.js';
import { recordConverter } from './convert.js';
import { assetPages, tokenPages } from './paging.js';
import type { StreamDeps } from './support.js';

type Pages = (client: MarketoClient, path: string, context: Pick<StreamContext<MarketoConfig>, 'signal' | 'logger'>) => AsyncIterable<Record<string, unknown>>;

function listStream(pages: Pages, name: string, path: string, label: string, schema: JsonSchema, deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name,
    keyProperties: ['id'],
    schema,
    metadata: { label },
    async *records(context) {
      const convert = recordConverter(schema, context.selectedProperties, context.logger);
      for await (const item of pages(deps.client, path, context)) yield convert(item);
    },
  };
}

/** An Asset API list, paged by offset. */
export const assetStream = (name: string, path: string, label: string, schema: JsonSchema, deps: StreamDeps) => listStream((client, file, { signal }) => assetPages(client, file, signal), name, path, label, schema, deps);

/** A lead-database list, paged with `nextPageToken`. */
export const tokenStream = (name: string, path: string, label: string, schema: JsonSchema, deps: StreamDeps) => listStream((client, file, { signal, logger }) => tokenPages(client, file, signal, { logger }), name, path, label, schema, deps);
