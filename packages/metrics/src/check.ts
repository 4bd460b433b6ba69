import path from 'node:path';
import type { Logger } from '@singer-io-ts/sdk';
import { settingsOf, type MetricsConfig } from './config.js';
import { runBuild, withTransaction, type BuildOptions } from './build.js';
import { SQL_DIR, readStatements } from './sql-files.js';

export interface CheckFinding {
  check: string;
  description: string;
  findings: number;
  examples: string[];
}

/**
 * Data-quality checks on a fresh build of the raw tables, in a transaction that is rolled back:
 * the checks see what a build would make, and change nothing.
 */
export async function checkMetrics(config: MetricsConfig, options: BuildOptions & { logger?: Logger } = {}): Promise<CheckFinding[]> {
  const settings = settingsOf(config);
  return withTransaction(config, async (client) => {
    await runBuild(client, settings, options);
    const findings: CheckFinding[] = [];
    for (const statement of readStatements(path.join(options.sqlDir ?? SQL_DIR, 'checks.sql'), settings)) {
      const { rows } = await client.query<{ check_name: string; description: string; findings: string; examples: string[] | null }>(statement.text);
      for (const row of rows) findings.push({ check: row.check_name, description: row.description, findings: Number(row.findings), examples: row.examples ?? [] });
    }
    return findings;
  });
}
