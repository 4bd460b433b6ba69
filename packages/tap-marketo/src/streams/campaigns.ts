/** Smart campaigns: batch, trigger and drip (requestable) types, with their program. */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { tokenStream } from './list-stream.js';
import { BOOLEAN, DATETIME, INTEGER, TEXT, objectSchema, type StreamDeps } from './support.js';

const CAMPAIGN = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  type: TEXT,
  isTrigger: BOOLEAN,
  isRequestable: BOOLEAN,
  isActive: BOOLEAN,
  active: BOOLEAN,
  programId: INTEGER,
  programName: TEXT,
  workspaceName: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
});

export function campaignsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return tokenStream('campaigns', 'campaigns.json', 'Smart campaigns', CAMPAIGN, deps);
}
