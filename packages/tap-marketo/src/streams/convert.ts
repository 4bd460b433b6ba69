/**
 * Values as the target wants them, from what Marketo sends: CSV text from Bulk Extract, JSON from
 * REST, `…Z+0000` datetimes from the Asset API. Each property's converter comes from its schema.
 */
import { exactInteger, exactNumber, type JsonSchema, type Logger, type TapRecord } from '@singer-io-ts/sdk';

export type Converter = (value: unknown) => unknown;

function typesOf(schema: JsonSchema): string[] {
  const type = schema.type;
  return Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
}

/** `2015-05-21T22:45:13Z+0000`, `2024-04-12T12:01:02Z`, `2024-04-12 12:01:02` → ISO-8601 UTC. */
const WIRE_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

export function toIsoDatetime(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  // The common case, the lead database's whole-second UTC form, without a parse per value.
  if (typeof value === 'string' && WIRE_DATETIME.test(value)) return `${value.slice(0, 19)}.000Z`;
  if (typeof value === 'number') return new Date(value).toISOString();
  const text = String(value).trim().replace(/Z[+-]0000$/, 'Z').replace(' ', 'T');
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || !/T/.test(text) ? text : `${text}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(value);
}

export function converterFor(name: string, schema: JsonSchema, logger: Logger): Converter {
  const types = typesOf(schema);
  let warned = false;
  if (types.includes('integer')) {
    return (value) => {
      if (value === null || value === undefined || value === '') return null;
      // Every digit kept (an integer beyond 2^53 is a JsonNumber the writer prints as is).
      const parsed = exactInteger(String(value));
      if (!parsed) return null;
      if (parsed.fraction) {
        // Marketo sends decimals in some integer fields (singer-io/tap-marketo 2.0.22): keep the integer part.
        if (!warned) logger.warn(`${name}: ${String(value)} is not an integer; its integer part is kept`);
        warned = true;
      }
      return parsed.value;
    };
  }
  if (types.includes('number')) {
    return (value) => {
      if (value === null || value === undefined || value === '') return null;
      // CSV text: a decimal no double holds keeps every digit.
      const number = typeof value === 'string' ? exactNumber(value) : Number(value);
      return typeof number !== 'number' || Number.isFinite(number) ? number : null;
    };
  }
  if (types.includes('boolean')) {
    return (value) => {
      if (value === null || value === undefined || value === '') return null;
      if (typeof value === 'boolean') return value;
      const text = String(value).toLowerCase();
      return text === 'true' || text === '1' || text === 'yes';
    };
  }
  if (types.includes('object') || types.includes('array')) {
    return (value) => {
      if (value === null || value === undefined || value === '') return null;
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    };
  }
  if (schema.format === 'date-time') return toIsoDatetime;
  if (schema.format === 'date') return (value) => (value === null || value === undefined || value === '' ? null : String(value).slice(0, 10));
  return (value) => (value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value));
}

/** A function from a raw row to a record with the schema's properties (selected ones only). */
export function recordConverter(schema: JsonSchema, selected: ReadonlySet<string>, logger: Logger): (row: Record<string, unknown>) => TapRecord {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const converters = Object.entries(properties)
    .filter(([name]) => selected.has(name))
    .map(([name, property]) => [name, converterFor(name, property, logger)] as const);
  return (row) => {
    const record: TapRecord = {};
    for (const [name, convert] of converters) record[name] = convert(row[name]);
    return record;
  };
}
