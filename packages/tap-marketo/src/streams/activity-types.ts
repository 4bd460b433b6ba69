/** `activities/types.json`: the activity types, their primary attribute and attributes. */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoClient } from '../client.js';
import type { MarketoConfig } from '../config.js';
import { recordConverter } from './convert.js';
import { ARRAY, OBJECT, TEXT, objectSchema, type StreamDeps } from './support.js';

export interface ActivityType {
  id: number;
  name: string;
  description?: string;
  primaryAttribute?: { name: string; dataType: string };
  attributes?: Array<{ name: string; dataType: string }>;
}

export async function listActivityTypes(client: MarketoClient): Promise<ActivityType[]> {
  const body = await client.get<ActivityType>(`${client.restUrl}/v1/activities/types.json`, {}, { endpoint: 'activities/types' });
  return body.result ?? [];
}

const schema = objectSchema({ id: { type: 'integer' }, name: TEXT, description: TEXT, primaryAttribute: OBJECT, attributes: ARRAY });

export function activityTypesStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name: 'activity_types',
    keyProperties: ['id'],
    schema,
    metadata: { label: 'Activity types' },
    async *records(context) {
      const convert = recordConverter(schema, context.selectedProperties, context.logger);
      for (const type of await listActivityTypes(deps.client)) yield convert(type as unknown as Record<string, unknown>);
    },
  };
}
