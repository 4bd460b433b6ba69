import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The file of a package's bin, found through package resolution so that the monorepo and a
 * global install both work; run it with `process.execPath`.
 */
export function resolveBin(packageName: string, binName: string): string {
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${packageName}/package.json`);
  } catch (err) {
    throw new Error(`${packageName} is not installed (needed for ${binName}): ${(err as Error).message}`, { cause: err });
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[binName];
  if (!relative) throw new Error(`${packageName} has no bin named ${binName}`);
  const file = path.resolve(path.dirname(manifestPath), relative);
  if (!existsSync(file)) throw new Error(`${packageName}: bin ${binName} (${file}) does not exist`);
  return file;
}

export const TARGET_PACKAGE = '@singer-io-ts/target-postgres';
export const METRICS_PACKAGE = '@singer-io-ts/metrics';

export const targetBin = (): string => resolveBin(TARGET_PACKAGE, 'target-postgres');
export const metricsBin = (): string => resolveBin(METRICS_PACKAGE, 'bizops-metrics');
