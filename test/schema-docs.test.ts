import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

t.test('docs/schemas.md is generated from the current schemas', async (t) => {
  const script = fileURLToPath(new URL('../scripts/schema-docs.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  t.equal(result.status, 0, result.stderr);
});
