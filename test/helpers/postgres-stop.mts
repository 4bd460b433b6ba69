// tap's `after` script: stop the embedded Postgres that postgres-start.mts (or
// a test file run on its own) started. Also handy by hand:
//   node --import=tsx test/helpers/postgres-stop.mts
import { libpqServerConfigured, stopEmbeddedPostgres } from './postgres.js';

if (!libpqServerConfigured()) {
  await stopEmbeddedPostgres();
}
