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

const targetPostgres = `${root}packages/target-postgres/schemas`;
rmSync(targetPostgres, { recursive: true, force: true });
mkdirSync(`${targetPostgres}/config`, { recursive: true });
cpSync(`${root}schemas/config/target-postgres.json`, `${targetPostgres}/config/target-postgres.json`);
