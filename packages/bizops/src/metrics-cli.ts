/** `bizops-metrics` (the metrics package's CLI), run as a process with a metrics.json bizops writes. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { metricsBin } from './bins.js';
import type { BizopsConfig } from './config.js';
import type { Warehouse } from './warehouse.js';

export interface MetricsRun {
  code: number | string;
  stdout: string;
  stderr: string;
}

export const ANALYTICS_SCHEMA = 'analytics';

export function analyticsSchema(config: BizopsConfig): string {
  return typeof config.metrics.target_schema === 'string' ? config.metrics.target_schema : ANALYTICS_SCHEMA;
}

export function metricsConfig(config: BizopsConfig, warehouse: Warehouse): Record<string, unknown> {
  const sourceSchemas = Object.fromEntries(config.pipelines.map((p) => [p.source.name, p.schema]));
  return { ...warehouse.connection, source_schemas: sourceSchemas, target_schema: analyticsSchema(config), ...config.metrics };
}

/** Runs `bizops-metrics <args> --config <file>`; `echo` streams its stderr to ours as it comes. */
export async function runMetrics(args: string[], config: BizopsConfig, warehouse: Warehouse, options: { echo?: boolean } = {}): Promise<MetricsRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bizops-metrics-'));
  try {
    const file = path.join(dir, 'metrics.json');
    writeFileSync(file, JSON.stringify(metricsConfig(config, warehouse)), { mode: 0o600 });
    const child = spawn(process.execPath, [metricsBin(), ...args, '--config', file], { env: warehouse.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.echo) process.stderr.write(chunk);
    });
    const code = await new Promise<number | string>((resolve) => {
      child.on('error', (err) => resolve(`error (${err.message})`));
      child.on('close', (exit, signal) => resolve(exit ?? `signal ${signal}`));
    });
    return { code, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CampaignMetricRow {
  period: string;
  campaign_id: string;
  campaign_name: string;
  channel: string | null;
  model: string;
  spend: number | null;
  leads: number | null;
  cost_per_lead: number | null;
  customers: number | null;
  iacv: number | null;
  cac: number | null;
  ltv: number | null;
  roi: number | null;
  [key: string]: unknown;
}

/** `show --by campaign --period all --format json`, parsed. */
export async function showCampaigns(config: BizopsConfig, warehouse: Warehouse, model = 'first_touch'): Promise<CampaignMetricRow[]> {
  const run = await runMetrics(['show', '--by', 'campaign', '--period', 'all', '--model', model, '--format', 'json'], config, warehouse);
  if (run.code !== 0) throw new Error(`bizops-metrics show exited with ${run.code}: ${lastLines(run.stderr)}`);
  try {
    return JSON.parse(run.stdout) as CampaignMetricRow[];
  } catch (err) {
    throw new Error(`bizops-metrics show --format json printed something that is not JSON: ${run.stdout.slice(0, 200)}`, { cause: err });
  }
}

export function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').filter((line) => !line.startsWith('INFO METRIC')).slice(-n).join('\n');
}
