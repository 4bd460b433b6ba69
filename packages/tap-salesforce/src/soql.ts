/** SOQL for one object and one window of its replication key, ordered so that resuming is exact. */

/** Where a read starts and ends. `afterId` breaks ties: rows at exactly `from` with an Id not above it were read already. */
export interface QueryWindow {
  /** Inclusive lower bound on the replication key (ISO datetime). */
  from?: string;
  /** Exclusive upper bound (ISO datetime). */
  to?: string;
  afterId?: string;
}

export interface QuerySpec {
  object: string;
  fields: readonly string[];
  /** Unset for FULL_TABLE: rows then come in Id order and `afterId` resumes. */
  replicationKey?: string;
  window: QueryWindow;
}

/** A SOQL datetime literal: UTC, milliseconds kept so that a bound is exactly a row's value. */
export function soqlDatetime(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new Error(`not a datetime: ${value}`);
  return new Date(time).toISOString();
}

export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * `SELECT … FROM X WHERE K >= from AND K < to AND (K > from OR Id > 'afterId') ORDER BY K, Id`.
 * The tie-breaker is a conjunct beside the `>=` bound (not an OR around it) so that the server
 * can still seek to `from` instead of scanning the object.
 */
export function buildSoql(spec: QuerySpec, options: { orderBy?: boolean } = {}): string {
  const where = whereClause(spec);
  const order = options.orderBy === false ? '' : ` ORDER BY ${spec.replicationKey ? `${spec.replicationKey}, Id` : 'Id'}`;
  return `SELECT ${spec.fields.join(', ')} FROM ${spec.object}${where}${order}`;
}

/** `SELECT COUNT() FROM X WHERE …`: how many rows `buildSoql(spec)` would return. */
export function buildCountSoql(spec: QuerySpec): string {
  return `SELECT COUNT() FROM ${spec.object}${whereClause(spec)}`;
}

function whereClause(spec: QuerySpec): string {
  const { replicationKey: key, window } = spec;
  const where: string[] = [];
  if (key) {
    if (window.from !== undefined) where.push(`${key} >= ${soqlDatetime(window.from)}`);
    if (window.to !== undefined) where.push(`${key} < ${soqlDatetime(window.to)}`);
    if (window.afterId !== undefined && window.from !== undefined) where.push(`(${key} > ${soqlDatetime(window.from)} OR Id > ${soqlString(window.afterId)})`);
  } else if (window.afterId !== undefined) {
    where.push(`Id > ${soqlString(window.afterId)}`);
  }
  return where.length ? ` WHERE ${where.join(' AND ')}` : '';
}
