/** The REST page reader on its own, against canned pages. */
import { stringifyJson } from '@singer-io-ts/sdk';
import t from 'tap';
import type { SalesforceClient } from '../src/client.js';
import { restPages } from '../src/streams/rest-reader.js';
import type { QueryRequest } from '../src/streams/reader.js';

t.test('numbers a double cannot hold come out of a REST page with every digit', async (t) => {
  const body = '{"totalSize":2,"done":true,"records":[{"Id":"a","Amount":123456789012345678.25,"Big__c":99999999999999999999},{"Id":"b","Amount":0.5,"Big__c":3}]}';
  const client = { request: async () => new Response(body) } as unknown as SalesforceClient;
  const request = { object: { name: 'Opportunity' }, soql: 'SELECT Id FROM Opportunity', includeDeleted: true, signal: new AbortController().signal } as unknown as QueryRequest;
  const rows = [];
  for await (const page of restPages(client, request)) rows.push(...page);
  t.equal(stringifyJson(rows), '[{"Id":"a","Amount":123456789012345678.25,"Big__c":99999999999999999999},{"Id":"b","Amount":0.5,"Big__c":3}]');
  t.type(rows[1]!.Amount, 'number', 'ordinary numbers stay plain numbers');
});
