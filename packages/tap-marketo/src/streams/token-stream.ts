/** Lead-database lists paged with `nextPageToken` (campaigns, lists): read whole each run, they are small. */
import type { JsonSchema, StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { recordConverter } from './convert.js';
import { tokenPages } from './paging.js';
import type { StreamDeps } from './support.js';

export function tokenStream(name: string, path: string, label: string, schema: JsonSchema, deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name,
    keyProperties: ['id'],
    schema,
    metadata: { label },
    async *records(context) {
      const convert = recordConverter(schema, context.selectedProperties, context.logger);
      for await (const item of tokenPages(deps.client, path, context.signal)) yield convert(item);
    },
  };
}
