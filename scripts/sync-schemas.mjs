// The SDK is published on its own, so it carries a copy of the Singer schemas; `schemas/` at the
// repository root stays the one place they are edited.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}packages/sdk/schemas`;
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
cpSync(`${root}schemas/singer`, `${target}/singer`, { recursive: true });
