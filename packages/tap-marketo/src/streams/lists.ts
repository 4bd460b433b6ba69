/** Static lists. */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { tokenStream } from './list-stream.js';
import { DATETIME, TEXT, objectSchema, type StreamDeps } from './support.js';

const LIST = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  programName: TEXT,
  workspaceName: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
});

export function listsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return tokenStream('lists', 'lists.json', 'Static lists', LIST, deps);
}
