/** The Asset API lists (programs, emails, landing pages): read whole each run. */
import type { JsonSchema, StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { recordConverter } from './convert.js';
import { assetPages } from './paging.js';
import type { StreamDeps } from './support.js';

/** A whole Asset API list each run: these lists are small, and a full read also sees deletions. */
export function assetStream(name: string, path: string, label: string, schema: JsonSchema, deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name,
    keyProperties: ['id'],
    schema,
    metadata: { label },
    async *records(context) {
      const convert = recordConverter(schema, context.selectedProperties, context.logger);
      for await (const item of assetPages(deps.client, path, context.signal)) yield convert(item);
    },
  };
}
