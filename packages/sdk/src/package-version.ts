import { readFileSync } from 'node:fs';

/** A connector's version from its package.json, given `import.meta.url` of a module in `dist/` or `src/`. */
export function readPackageVersion(moduleUrl: string): string {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', moduleUrl), 'utf8')) as { version: string };
  return packageJson.version;
}
