/** Collateral: landing pages. */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { assetStream } from './list-stream.js';
import { BOOLEAN, DATETIME, INTEGER, OBJECT, TEXT, objectSchema, type StreamDeps } from './support.js';

const LANDING_PAGE = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
  folder: OBJECT,
  status: TEXT,
  template: INTEGER,
  title: TEXT,
  url: TEXT,
  computedUrl: TEXT,
  workspace: TEXT,
  formPrefill: BOOLEAN,
  mobileEnabled: BOOLEAN,
  robots: TEXT,
  keywords: TEXT,
  customHeadHTML: TEXT,
});

export function landingPagesStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return assetStream('landing_pages', 'landingPages.json', 'Landing pages', LANDING_PAGE, deps);
}
