import { writeSync } from 'node:fs';
import type { Redactor } from './secrets.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type MetricType = 'counter' | 'timer';
export type MetricTags = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /**
   * A Singer METRIC line (`INFO METRIC: {"type":"counter","metric":"record_count",...}`), the
   * format singer-python writes and Meltano and other runners parse from stderr.
   */
  metric(type: MetricType, metric: string, value: number, tags?: MetricTags): void;
  child(name: string): Logger;
}

export interface LoggerOptions {
  name: string;
  level?: LogLevel;
  redactor?: Redactor;
  /** Where lines go; stderr by default. Never stdout: stdout belongs to the Singer writer. */
  sink?: (line: string) => void;
}

/**
 * Writes synchronously to fd 2: log lines are few, and a synchronous write cannot be lost when
 * the process exits right after an error.
 */
export function stderrSink(line: string): void {
  try {
    writeSync(2, line + '\n');
  } catch {
    // EAGAIN on a non-blocking stderr, or stderr closed: dropping a log line beats crashing the sync.
  }
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = LEVEL_ORDER[options.level ?? levelFromEnv()];
  const sink = options.sink ?? stderrSink;
  const redact = (text: string) => (options.redactor ? options.redactor.redactText(text) : text);
  const emit = (level: LogLevel, message: string) => {
    if (LEVEL_ORDER[level] < threshold) return;
    sink(`${level.toUpperCase()} ${options.name}: ${redact(message)}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    metric(type, metric, value, tags = {}) {
      const cleanTags = Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined));
      sink(redact(`INFO METRIC: ${JSON.stringify({ type, metric, value, tags: cleanTags })}`));
    },
    child: (name) => createLogger({ ...options, name: `${options.name}.${name}` }),
  };
}

function levelFromEnv(): LogLevel {
  const raw = (process.env.SINGER_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info').toLowerCase();
  return raw in LEVEL_ORDER ? (raw as LogLevel) : raw === 'warning' ? 'warn' : 'info';
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(name = 'test'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ name, level: 'debug', sink: (line) => lines.push(line) });
  return Object.assign(logger, { lines });
}
