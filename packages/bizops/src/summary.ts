import type { RunResult } from './run.js';
import { totalRecords } from './run-stats.js';
import { formatTable } from './table.js';

/** The end-of-run summary: per pipeline its result, rows per stream, API calls and time. */
export function formatSummary(result: RunResult): string {
  const rows = result.outcomes.map((o) => [
    o.name,
    o.ok ? 'ok' : 'FAILED',
    String(totalRecords(o.stats)),
    String(o.stats.apiCalls),
    `${o.seconds.toFixed(1)} s`,
    o.stateAdvanced ? 'advanced' : o.ok ? 'unchanged (no STATE)' : 'kept (previous)',
  ]);
  const lines = ['', formatTable(['pipeline', 'result', 'records', 'API calls', 'time', 'state'], rows, [2, 3])];
  for (const o of result.outcomes) {
    const streams = Object.entries(o.stats.records).map(([stream, n]) => `${stream} ${n}`);
    if (streams.length) lines.push(`  ${o.name}: ${streams.join(', ')}`);
    if (o.error) lines.push(`  ${o.name}: ${o.error}`);
  }
  if (result.metrics.ran) lines.push(`metrics: ${result.metrics.ok ? 'built' : result.metrics.error}`);
  else if (result.metrics.error) lines.push(`metrics: ${result.metrics.error}`);
  lines.push(`logs: ${result.logDir}`, '');
  return lines.join('\n');
}
