/** The spend: programs with their period costs, channel, tags, workspace and synced Salesforce campaign. */
import type { JsonSchema, StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { assetStream } from './list-stream.js';
import { ARRAY, DATE, DATETIME, OBJECT, TEXT, nullable, objectSchema, type StreamDeps } from './support.js';

const COSTS: JsonSchema = nullable('array', {
  items: { type: 'object', properties: { startDate: DATE, cost: nullable('number'), note: TEXT } },
});

const PROGRAM = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
  url: TEXT,
  type: TEXT,
  channel: TEXT,
  folder: OBJECT,
  status: TEXT,
  workspace: TEXT,
  tags: ARRAY,
  costs: COSTS,
  sfdcId: TEXT,
  sfdcName: TEXT,
  startDate: DATE,
  endDate: DATE,
});

export function programsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return assetStream('programs', 'programs.json', 'Programs, with period costs and the synced Salesforce campaign (sfdcId)', PROGRAM, deps);
}
