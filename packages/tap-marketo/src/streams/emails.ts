/** Collateral: emails. */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { assetStream } from './list-stream.js';
import { BOOLEAN, DATETIME, INTEGER, OBJECT, TEXT, objectSchema, type StreamDeps } from './support.js';

const EMAIL = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
  url: TEXT,
  subject: OBJECT,
  fromName: OBJECT,
  fromEmail: OBJECT,
  replyEmail: OBJECT,
  folder: OBJECT,
  operational: BOOLEAN,
  textOnly: BOOLEAN,
  publishToMSI: BOOLEAN,
  webView: BOOLEAN,
  status: TEXT,
  template: INTEGER,
  workspace: TEXT,
  version: INTEGER,
  preHeader: TEXT,
  autoCopyToText: BOOLEAN,
  isOpenTrackingDisabled: BOOLEAN,
});

export function emailsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return assetStream('emails', 'emails.json', 'Emails', EMAIL, deps);
}
