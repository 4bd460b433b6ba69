/**
 * A deterministic in-test "tap" for the crash tests: a fixed sequence of events over two keyed
 * streams (orders: many rows, with updates of earlier keys, some within one batch; customers: a
 * smaller stream), a STATE after every `stateEvery` events, and the expected table contents after
 * any prefix of the events.
 *
 * The bookmark is the position of the last event emitted before the STATE. A resumed run starts
 * AT the bookmarked event (inclusive, like a `>=` replication key), so the event at the bookmark
 * is sent twice: the target must treat the replay as an upsert.
 */

export type StreamName = 'orders' | 'customers';
export const STREAMS: StreamName[] = ['orders', 'customers'];

/** One row as the tests compare it: column name → text as Postgres prints it (or null). */
export type Row = Record<string, string | null>;

export interface SourceEvent {
  position: number;
  stream: StreamName;
  id: number;
  /** The RECORD line, without newline. */
  line: string;
  /** What the row with this key must hold after this event. */
  row: Row;
}

export interface SourceOptions {
  /** Number of events (records) in the whole stream. */
  events: number;
  /** A STATE after every this many events (and one at the end). */
  stateEvery: number;
}

/**
 * The columns compared, per stream, and how to select them as text. `updated_at::timestamptz`
 * compares the instant even when the column's type is wrong; COLUMN_TYPES checks the types.
 */
export const SELECT_COLUMNS: Record<StreamName, Array<[column: string, sql: string]>> = {
  orders: [
    ['id', 'id::text'],
    ['name', 'name'],
    ['amount', 'trim_scale(amount)::text'],
    ['big', 'big::text'],
    ['active', 'active::text'],
    ['tags', 'tags::text'],
    ['updated_at', `to_char(updated_at::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`],
    ['seq', 'seq::text'],
  ],
  customers: [
    ['id', 'id::text'],
    ['email', 'email'],
    ['score', 'trim_scale(score)::text'],
    ['updated_at', `to_char(updated_at::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`],
    ['seq', 'seq::text'],
  ],
};

/** The Postgres type of each column (`format_type`), as issue 3's type map makes them. */
export const COLUMN_TYPES: Record<StreamName, Record<string, string>> = {
  orders: {
    id: 'bigint',
    name: 'text',
    amount: 'numeric',
    big: 'bigint',
    active: 'boolean',
    tags: 'jsonb',
    updated_at: 'timestamp with time zone',
    seq: 'bigint',
  },
  customers: { id: 'bigint', email: 'text', score: 'numeric', updated_at: 'timestamp with time zone', seq: 'bigint' },
};

const SCHEMAS: Record<StreamName, string> = {
  orders: JSON.stringify({
    type: 'SCHEMA',
    stream: 'orders',
    key_properties: ['id'],
    schema: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        name: { type: ['string', 'null'] },
        amount: { type: ['number', 'null'] },
        big: { type: ['integer', 'null'] },
        active: { type: ['boolean', 'null'] },
        tags: { type: ['array', 'null'], items: { type: 'string' } },
        updated_at: { type: 'string', format: 'date-time' },
        seq: { type: 'integer' },
      },
    },
  }),
  customers: JSON.stringify({
    type: 'SCHEMA',
    stream: 'customers',
    key_properties: ['id'],
    schema: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        email: { type: ['string', 'null'] },
        score: { type: ['number', 'null'] },
        updated_at: { type: 'string', format: 'date-time' },
        seq: { type: 'integer' },
      },
    },
  }),
};

/** A stateless integer hash, so every event is a pure function of its position. */
function hash(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const EPOCH = Date.UTC(2024, 0, 1);
function timestamp(position: number): string {
  return new Date(EPOCH + position * 1000).toISOString().replace('.000Z', 'Z');
}

/** Decimal text that a double could not carry exactly, now and then. */
function decimal(h: number): string | null {
  if (h % 17 === 0) return null;
  if (h % 23 === 0) return `0.${String(h).padStart(10, '0')}00000000000000000001`;
  const cents = h % 10_000_000;
  const sign = h % 5 === 0 && cents > 0 ? '-' : '';
  return `${sign}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/**
 * A decimal as `trim_scale(numeric)::text` prints it. Trailing fraction zeros are not compared:
 * the target sends a number whose text a double reproduces as that double (2.50 as 2.5), by design.
 */
function canonicalDecimal(text: string | null): string | null {
  if (text === null || !text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

const NAMES = ['plain', 'tab\there', 'new\nline', 'back\\slash', 'quote "q" \'s\'', 'ünïcødé ✓ 🚀', 'comma, semi; pipe|', '\\N', ''];

export class Source {
  readonly events: SourceEvent[] = [];

  constructor(readonly options: SourceOptions) {
    let nextOrder = 1;
    let nextCustomer = 1;
    for (let position = 0; position < options.events; position++) {
      const h = hash(position);
      const stream: StreamName = position % 6 === 5 ? 'customers' : 'orders';
      const updatedAt = timestamp(position);
      if (stream === 'orders') {
        let id: number;
        if (nextOrder > 20 && h % 4 === 0) {
          // An update: of a key a few rows back (usually in the same batch), or of any earlier key.
          id = h % 8 === 0 ? nextOrder - 1 - ((h >>> 3) % 3) : 1 + ((h >>> 3) % (nextOrder - 1));
        } else {
          id = nextOrder++;
        }
        const name = h % 13 === 0 ? null : `${NAMES[h % NAMES.length]} #${position}`;
        const amount = decimal(h >>> 5);
        const big = h % 11 === 0 ? null : (9007199254740993n + BigInt(position) * 1000003n).toString();
        const active = h % 7 === 0 ? null : h % 2 === 0;
        const tags = h % 9 === 0 ? null : [`t${h % 5}`, `p${position}`];
        const record =
          `{"id":${id},"name":${JSON.stringify(name)},"amount":${amount ?? 'null'},"big":${big ?? 'null'},` +
          `"active":${JSON.stringify(active)},"tags":${JSON.stringify(tags)},"updated_at":"${updatedAt}","seq":${position}}`;
        this.events.push({
          position,
          stream,
          id,
          line: `{"type":"RECORD","stream":"orders","record":${record}}`,
          row: {
            id: String(id),
            name,
            amount: canonicalDecimal(amount),
            big,
            active: active === null ? null : String(active),
            tags: tags === null ? null : JSON.stringify(tags).replace(/,/g, ', '),
            updated_at: updatedAt,
            seq: String(position),
          },
        });
      } else {
        const id = nextCustomer > 10 && h % 3 === 0 ? 1 + ((h >>> 2) % (nextCustomer - 1)) : nextCustomer++;
        const email = h % 10 === 0 ? null : `c${id}.${position}@example.com`;
        const score = decimal(h >>> 7);
        const record = `{"id":${id},"email":${JSON.stringify(email)},"score":${score ?? 'null'},"updated_at":"${updatedAt}","seq":${position}}`;
        this.events.push({
          position,
          stream,
          id,
          line: `{"type":"RECORD","stream":"customers","record":${record}}`,
          row: { id: String(id), email, score: canonicalDecimal(score), updated_at: updatedAt, seq: String(position) },
        });
      }
    }
  }

  /** The STATE value the tap sends after the event at `position`. */
  stateAt(position: number): { bookmarks: { events: { position: number; updated_at: string } } } {
    return { bookmarks: { events: { position, updated_at: timestamp(position) } } };
  }

  /** Where a run resumes: at the bookmarked event (inclusive), or from the start. */
  resumeFrom(state: unknown): number {
    if (state === undefined || state === null) return 0;
    const position = (state as { bookmarks?: { events?: { position?: unknown } } }).bookmarks?.events?.position;
    if (typeof position !== 'number' || !Number.isInteger(position) || position < 0 || position >= this.events.length) {
      throw new Error(`state the tap cannot resume from: ${JSON.stringify(state)}`);
    }
    return position;
  }

  /** The Singer lines of a run that resumes from `state`: SCHEMAs, RECORDs, a STATE every `stateEvery` events and at the end. */
  *lines(state?: unknown): Generator<string> {
    yield SCHEMAS.orders;
    yield SCHEMAS.customers;
    const from = this.resumeFrom(state);
    const last = this.events.length - 1;
    for (let position = from; position <= last; position++) {
      yield this.events[position]!.line;
      if (position % this.options.stateEvery === this.options.stateEvery - 1 || position === last) {
        yield JSON.stringify({ type: 'STATE', value: this.stateAt(position) });
      }
    }
  }

  /** Total bytes of a run from the start (lines plus newlines). */
  totalBytes(): number {
    let bytes = 0;
    for (const line of this.lines()) bytes += Buffer.byteLength(line) + 1;
    return bytes;
  }

  /** The rows of `stream` after applying every event up to and including `position`, by key. */
  expectedAfter(stream: StreamName, position: number): Map<string, Row> {
    const rows = new Map<string, Row>();
    for (const event of this.events) {
      if (event.position > position) break;
      if (event.stream === stream) rows.set(String(event.id), event.row);
    }
    return rows;
  }

  /** The final rows of `stream`. */
  expectedFinal(stream: StreamName): Map<string, Row> {
    return this.expectedAfter(stream, this.events.length - 1);
  }
}
