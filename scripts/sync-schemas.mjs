// Published packages carry copies of the schemas they read at runtime (the SDK the Singer
// schemas, each connector its config schema); `schemas/` at the repository root stays the one
// place they are edited.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const sdkTarget = `${root}packages/sdk/schemas`;
rmSync(sdkTarget, { recursive: true, force: true });
mkdirSync(sdkTarget, { recursive: true });
cpSync(`${root}schemas/singer`, `${sdkTarget}/singer`, { recursive: true });

// Each connector package gets its own config schema.
const configs = { 'target-postgres': 'target-postgres', 'tap-salesforce': 'tap-salesforce', 'tap-marketo': 'tap-marketo', 'tap-zuora': 'tap-zuora', metrics: 'bizops-metrics' };
for (const [pkg, name] of Object.entries(configs)) {
  const target = `${root}packages/${pkg}/schemas`;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(`${target}/config`, { recursive: true });
  cpSync(`${root}schemas/config/${name}.json`, `${target}/config/${name}.json`);
}
