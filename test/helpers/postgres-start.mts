// tap's `before` script: boot the embedded Postgres once for the whole run,
// so test files share it instead of each paying for a server. It keeps
// running after this script exits; postgres-stop.mts (tap's `after`) stops it.
import { libpqServerConfigured, startEmbeddedPostgres } from './postgres.js';

if (!libpqServerConfigured()) {
  try {
    await startEmbeddedPostgres();
  } catch (err) {
    // The message already carries pg_ctl's output and the server log's tail.
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
