/**
 * What a run did, read from the Singer METRIC lines the SDK connectors write on stderr
 * (`INFO METRIC: {"type":"counter","metric":"record_count","value":42,"tags":{"stream":"Account"}}`).
 */
export interface RunStats {
  /** Records extracted per stream (the tap's record_count counters). */
  records: Record<string, number>;
  /** HTTP requests the tap made (its http_request_duration timers). */
  apiCalls: number;
}

const METRIC_LINE = /^INFO METRIC: (\{.*\})\s*$/;

export function emptyStats(): RunStats {
  return { records: {}, apiCalls: 0 };
}

/** Adds one stderr line's metric, if it is one, to `stats`. */
export function addMetricLine(stats: RunStats, line: string): void {
  const match = METRIC_LINE.exec(line);
  if (!match) return;
  let metric: { type?: string; metric?: string; value?: number; tags?: Record<string, unknown> };
  try {
    metric = JSON.parse(match[1]!) as typeof metric;
  } catch {
    return;
  }
  if (metric.metric === 'record_count' && typeof metric.value === 'number') {
    const stream = String(metric.tags?.stream ?? metric.tags?.endpoint ?? 'unknown');
    stats.records[stream] = (stats.records[stream] ?? 0) + metric.value;
  } else if (metric.metric === 'http_request_duration') {
    stats.apiCalls += 1;
  }
}

export function totalRecords(stats: RunStats): number {
  return Object.values(stats.records).reduce((sum, n) => sum + n, 0);
}
