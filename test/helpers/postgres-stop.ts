// tap's `after` script: stop the embedded Postgres that postgres-start.ts (or
// a test file run on its own) started. Also handy by hand:
//   node --import=tsx test/helpers/postgres-stop.ts
import { libpqServerConfigured, stopEmbeddedPostgres } from './postgres.js';

if (!libpqServerConfigured()) {
  await stopEmbeddedPostgres();
}
