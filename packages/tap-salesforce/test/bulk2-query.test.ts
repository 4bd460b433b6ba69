/**
 * The Bulk API 2.0 reader against the Salesforce simulator: paging, CSV quirks, job outcomes,
 * token expiry, transient failures, early exit. Every run gets its token through the OAuth
 * password grant with the simulator's tapConfig credentials, and refreshes with the refresh_token grant.
 */
import t, { type Test } from 'tap';
import { startSalesforce, type SalesforceScenario, type SalesforceSimulator } from '../../simulators/src/index.js';
import {
  Bulk2ApiError,
  Bulk2JobAbortedError,
  Bulk2JobFailedError,
  Bulk2JobTimeoutError,
  Bulk2QueryTimeoutError,
  Bulk2ResultError,
  bulkQuery,
  fetchTransport,
  isQueryTimeout,
  type BulkQueryOptions,
  type BulkQuerySummary,
  type BulkRecord,
  type BulkTransport,
  type BulkValueType,
  type FetchTransportOptions,
  type FieldSpec,
  UncertainRequestError,
} from '../src/bulk2/index.js';

const VERSION = '62.0';

interface Config {
  login_url: string;
  client_id: string;
  client_secret: string;
  refresh_token: string;
  username: string;
  password: string;
  security_token: string;
  start_date: string;
}

interface Session {
  token: string;
  refreshes: number;
  transport: BulkTransport;
  /** Warnings of the transport and of readers given `logger`. */
  warnings: string[];
  logger: { debug(m: string): void; info(m: string): void; warn(m: string): void };
}

async function start(t: Test, scale: number, scenario: Partial<SalesforceScenario> = {}): Promise<SalesforceSimulator> {
  const sf = await startSalesforce({ scale, scenario: { bulkPageSize: 500, ...scenario } });
  t.teardown(() => sf.close());
  return sf;
}

async function oauth(sf: SalesforceSimulator, form: Record<string, string>): Promise<string> {
  const c = sf.tapConfig as unknown as Config;
  const res = await fetch(`${c.login_url}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams({ client_id: c.client_id, client_secret: c.client_secret, ...form }) });
  const body = (await res.json()) as { access_token?: string };
  if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

async function login(sf: SalesforceSimulator, transportOptions: Partial<FetchTransportOptions> = {}): Promise<Session> {
  const c = sf.tapConfig as unknown as Config;
  const warnings: string[] = [];
  const logger = { debug: () => {}, info: () => {}, warn: (m: string) => void warnings.push(m) };
  const token = await oauth(sf, { grant_type: 'password', username: c.username, password: c.password + c.security_token });
  const session: Session = { token, refreshes: 0, transport: undefined as unknown as BulkTransport, warnings, logger };
  session.transport = fetchTransport({
    instanceUrl: sf.url,
    getToken: () => session.token,
    refreshToken: async () => {
      session.refreshes += 1;
      session.token = await oauth(sf, { grant_type: 'refresh_token', refresh_token: c.refresh_token });
    },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    logger,
    ...transportOptions,
  });
  return session;
}

/** What the tap's discovery would derive from describe, for the simulator's table. */
function fieldsOf(sf: SalesforceSimulator, object: string): FieldSpec[] {
  const table = sf.simulation.company.table('salesforce', object);
  if (!table) throw new Error(`no table ${object}`);
  const typeOf = (type: string): BulkValueType =>
    type === 'boolean' ? 'boolean' : type === 'int' ? 'integer' : ['double', 'currency', 'percent'].includes(type) ? 'number' : type === 'datetime' ? 'date-time' : type === 'date' ? 'date' : type === 'time' ? 'time' : 'string';
  return table.fields.map((field) => ({ name: field.name, type: typeOf(field.type) }));
}

function options(sf: SalesforceSimulator, soql: string, extra: Partial<BulkQueryOptions> = {}): BulkQueryOptions {
  const object = /\bFROM\s+(\w+)/i.exec(soql)?.[1] ?? '';
  return { apiVersion: VERSION, soql, includeDeleted: true, fields: fieldsOf(sf, object), pollIntervalMs: { initial: 5, max: 20 }, ...extra };
}

async function collect(gen: AsyncGenerator<BulkRecord, BulkQuerySummary, undefined>): Promise<{ records: BulkRecord[]; summary: BulkQuerySummary }> {
  const records: BulkRecord[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { records, summary: next.value };
    records.push(next.value);
  }
}

/** REST /query or /queryAll with every nextRecordsUrl followed, records flattened the way Bulk CSV writes them. */
async function rest(sf: SalesforceSimulator, session: Session, soql: string, all: boolean): Promise<BulkRecord[]> {
  const out: BulkRecord[] = [];
  let next: string | null = `/services/data/v${VERSION}/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;
  while (next) {
    const res = await fetch(`${sf.url}${next}`, { headers: { authorization: `Bearer ${session.token}` } });
    const body = (await res.json()) as { records: BulkRecord[]; nextRecordsUrl?: string | null };
    for (const record of body.records) out.push(flatten(record));
    next = body.nextRecordsUrl ?? null;
  }
  return out;
}

const REST_DATETIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\+0000$/;

function flatten(record: BulkRecord, prefix = '', out: BulkRecord = {}): BulkRecord {
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    if (value !== null && typeof value === 'object') flatten(value as BulkRecord, `${prefix}${key}.`, out);
    else out[`${prefix}${key}`] = typeof value === 'string' ? value.replace(REST_DATETIME, '$1Z') : value;
  }
  return out;
}

function byId(records: BulkRecord[]): Map<unknown, BulkRecord> {
  return new Map(records.map((record) => [record.Id, record]));
}

function jobsLeft(sf: SalesforceSimulator, session: Session): Promise<number> {
  return fetch(`${sf.url}/services/data/v${VERSION}/jobs/query`, { headers: { authorization: `Bearer ${session.token}` } })
    .then((res) => res.json())
    .then((body) => (body as { records: unknown[] }).records.length);
}

const TASK_SOQL = 'SELECT Id, IsDeleted, Subject, ActivityDate, Status, IsHighPriority, Description, CallDurationInSeconds, CompletedDateTime, SystemModstamp, Owner.Name FROM Task';

t.test('multi-page queryAll equals REST queryAll and the simulated table', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  const { records, summary } = await collect(bulkQuery(session.transport, options(sf, TASK_SOQL, { apiVersion: 'v62.0' })));
  const table = sf.simulation.company.table('salesforce', 'Task')!;
  const asOf = sf.simulation.clock.now();
  const total = table.count({ asOf, includeDeleted: true });
  t.ok(total > 1000, `${total} rows, several pages of 500`);
  t.equal(records.length, total);
  t.equal(summary.records, total);
  t.equal(summary.pages, Math.ceil(total / 500));
  t.equal(summary.numberRecordsProcessed, total);
  t.equal(sf.server.calls('bulk2.results'), summary.pages, 'one request per page');
  t.equal(sf.server.calls('bulk2.create'), 1);
  t.equal(sf.server.calls('bulk2.delete'), 1, 'the job is deleted when read');
  t.equal(await jobsLeft(sf, session), 0);
  t.equal(new Set(records.map((r) => r.Id)).size, total, 'no duplicates across pages');
  t.same(Object.keys(records[0]!), ['Id', 'IsDeleted', 'Subject', 'ActivityDate', 'Status', 'IsHighPriority', 'Description', 'CallDurationInSeconds', 'CompletedDateTime', 'SystemModstamp', 'Owner.Name'], 'header names as written, dotted relationship column included');

  const viaRest = byId(await rest(sf, session, TASK_SOQL, true));
  t.equal(viaRest.size, total);
  let differences = 0;
  for (const record of records) {
    const other = viaRest.get(record.Id);
    if (JSON.stringify(record) !== JSON.stringify(other)) {
      if (differences++ < 3) t.same(record, other, `record ${String(record.Id)} equals REST`);
    }
  }
  t.equal(differences, 0, 'every record equals its REST /queryAll twin (datetimes in Z, relationship flattened)');

  const bulk = byId(records);
  let compared = 0;
  for (const row of table.scan({ asOf, includeDeleted: true })) {
    const record = bulk.get(row.Id);
    const expected = {
      Id: row.Id,
      IsDeleted: row.IsDeleted,
      Subject: row.Subject,
      ActivityDate: row.ActivityDate,
      Status: row.Status,
      IsHighPriority: row.IsHighPriority,
      Description: row.Description,
      CallDurationInSeconds: row.CallDurationInSeconds,
      CompletedDateTime: typeof row.CompletedDateTime === 'number' ? new Date(row.CompletedDateTime).toISOString() : null,
      SystemModstamp: new Date(row.SystemModstamp as number).toISOString(),
    };
    const { ['Owner.Name']: _owner, ...actual } = record ?? {};
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      t.same(actual, expected, `record ${String(row.Id)} equals the table row`);
      break;
    }
    compared += 1;
  }
  t.equal(compared, total, 'every table row came through, typed');
  t.ok(records.some((r) => typeof r.CallDurationInSeconds === 'number') && records.some((r) => r.CallDurationInSeconds === null), 'integers and nulls');
  t.ok(records.every((r) => typeof r.IsHighPriority === 'boolean'));
  t.ok(records.every((r) => typeof r.SystemModstamp === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.SystemModstamp)));
});

t.test('query leaves deleted rows out, queryAll brings them with IsDeleted true', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  const table = sf.simulation.company.table('salesforce', 'Task')!;
  const asOf = sf.simulation.clock.now();
  const live = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id, IsDeleted FROM Task', { includeDeleted: false })));
  const all = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id, IsDeleted FROM Task', { includeDeleted: true })));
  t.equal(live.records.length, table.count({ asOf }));
  t.equal(all.records.length, table.count({ asOf, includeDeleted: true }));
  const deleted = all.records.filter((r) => r.IsDeleted === true);
  t.ok(deleted.length > 0, `${deleted.length} deleted rows through queryAll`);
  t.equal(all.records.length - live.records.length, deleted.length);
  t.notOk(live.records.some((r) => r.IsDeleted === true));
  t.equal(sf.server.calls('bulk2.delete'), 2);
});

t.test('csvNull both encodings and csvIntAsDecimal give the same records; maxRecords pages', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  const soql = 'SELECT Id, Description, CallDurationInSeconds, CallType, CompletedDateTime, ActivityDate FROM Task';
  const quoted = await collect(bulkQuery(session.transport, options(sf, soql)));
  sf.scenario.csvNull = 'empty';
  sf.scenario.csvIntAsDecimal = true;
  sf.server.resetCounters();
  const empty = await collect(bulkQuery(session.transport, options(sf, soql, { maxRecordsPerPage: 300 })));
  t.same(empty.records, quoted.records, 'null as "" or as nothing, 12 or 12.0: same records');
  t.equal(empty.summary.pages, Math.ceil(quoted.records.length / 300), 'maxRecordsPerPage is sent as maxRecords');
  t.equal(sf.server.calls('bulk2.results'), empty.summary.pages);
  t.ok(quoted.records.some((r) => r.Description === null) && quoted.records.some((r) => typeof r.Description === 'string'));
  t.ok(quoted.records.some((r) => r.CompletedDateTime === null), 'empty datetime → null');
  const durations = quoted.records.map((r) => r.CallDurationInSeconds).filter((v) => v !== null);
  t.ok(durations.length > 0 && durations.every((v) => Number.isInteger(v)), 'integers, also when written as 12.0');

  const raw = await collect(bulkQuery(session.transport, options(sf, soql, { emptyString: 'empty' })));
  const rawDescriptions = raw.records.map((r) => r.Description);
  t.ok(rawDescriptions.includes('') && !rawDescriptions.includes(null), "emptyString: 'empty' keeps '' for strings");
  t.ok(raw.records.some((r) => r.CallDurationInSeconds === null), 'non-string empties stay null');
});

t.test('NUL bytes, newlines, quotes and commas in text fields survive', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  const table = sf.simulation.company.table('salesforce', 'Lead')!;
  const asOf = sf.simulation.clock.now();
  const { records } = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id, Name, Description FROM Lead', { includeDeleted: false })));
  const bulk = byId(records);
  let nul = 0;
  let newline = 0;
  let quote = 0;
  let mismatches = 0;
  for (const row of table.scan({ asOf })) {
    const text = row.Description as string | null;
    if (text?.includes('\u0000')) nul += 1;
    if (text?.includes('\n')) newline += 1;
    if (text?.includes('"')) quote += 1;
    const expected = text === null ? null : text.replaceAll('\u0000', '');
    if (bulk.get(row.Id)?.Description !== expected && mismatches++ < 3) t.equal(bulk.get(row.Id)?.Description, expected, `Description of ${String(row.Id)}`);
  }
  t.equal(mismatches, 0);
  t.ok(nul > 0 && newline > 0 && quote > 0, `the data has ${nul} NULs, ${newline} newlines, ${quote} quotes`);
  t.equal(records.length, table.count({ asOf }));
  t.notOk(records.some((r) => typeof r.Description === 'string' && r.Description.includes('\u0000')), 'NULs removed');
});

t.test('job Failed with QUERY_TIMEOUT is a typed error; other failures too; the job is deleted', async (t) => {
  const sf = await start(t, 0.1, { queryTimeoutDays: 30 });
  const session = await login(sf);
  const start_date = (sf.tapConfig as unknown as Config).start_date;
  const wide = bulkQuery(session.transport, options(sf, `SELECT Id FROM Task WHERE SystemModstamp >= ${start_date}`));
  const error = await wide.next().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, Bulk2QueryTimeoutError);
  t.ok(isQueryTimeout(error), 'isQueryTimeout recognises it');
  t.match(error, { queryTimeout: true, errorMessage: /QUERY_TIMEOUT/, jobId: /^750/ });
  t.equal(sf.server.calls('bulk2.results'), 0);
  t.equal(sf.server.calls('bulk2.delete'), 1, 'the failed job is deleted');
  t.equal(await jobsLeft(sf, session), 0);

  sf.scenario.queryTimeoutDays = undefined;
  sf.scenario.bulkJobOutcome = 'Failed';
  const failed = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM Task'))).catch((e: unknown) => e);
  t.type(failed, Bulk2JobFailedError);
  t.notOk(isQueryTimeout(failed));
  t.match(failed, { queryTimeout: false, errorMessage: sf.scenario.bulkJobErrorMessage, message: /InternalServerError/ });
  t.equal(sf.server.calls('bulk2.delete'), 2);
});

t.test('job Aborted is a typed error', async (t) => {
  const sf = await start(t, 0.1, { bulkJobOutcome: 'Aborted', jobPolls: 2 });
  const session = await login(sf);
  await t.rejects(collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM Task'))), Bulk2JobAbortedError);
  t.equal(sf.server.calls('bulk2.poll'), 3);
  t.equal(sf.server.calls('bulk2.abort'), 0, 'an aborted job is not aborted again');
  t.equal(sf.server.calls('bulk2.delete'), 1);
});

t.test('a refused job is a Bulk2ApiError with the errorCode; nothing to clean up', async (t) => {
  const sf = await start(t, 0.1, { bulkUnsupportedObjects: ['Task'] });
  const session = await login(sf);
  const error = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM Task'))).catch((e: unknown) => e);
  t.type(error, Bulk2ApiError);
  t.match(error, { status: 400, errorCode: 'INVALIDENTITY', detail: "Entity 'Task' is not supported by the Bulk API.", jobId: undefined });
  t.equal(sf.server.calls('bulk2.delete'), 0);
  await t.rejects(collect(bulkQuery(session.transport, options(sf, 'SELECT Id, BillingAddress FROM Account'))), { errorCode: 'API_ERROR', message: /compound data/ });
});

t.test('polls back off exponentially up to the maximum', async (t) => {
  const sf = await start(t, 0.1, { jobPolls: 5 });
  const session = await login(sf);
  const waits: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    waits.push(ms);
  };
  const { records } = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM User', { pollIntervalMs: { initial: 100, max: 500 }, sleep })));
  t.ok(records.length > 0);
  t.same(waits, [100, 200, 400, 500, 500], 'one wait per InProgress poll, doubling, capped');
  t.equal(sf.server.calls('bulk2.poll'), 6);
});

t.test('token expiry mid-results: re-authenticates once and carries on', async (t) => {
  // create, poll, poll, results page 1 use the first token's 4 calls; page 2 gets 401 INVALID_SESSION_ID
  const sf = await start(t, 0.1, { tokenLifetimeCalls: 4 });
  const session = await login(sf);
  const { records } = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id, Subject FROM Task')));
  const table = sf.simulation.company.table('salesforce', 'Task')!;
  t.equal(records.length, table.count({ asOf: sf.simulation.clock.now(), includeDeleted: true }));
  t.equal(new Set(records.map((r) => r.Id)).size, records.length);
  t.ok(session.refreshes >= 1, `${session.refreshes} refresh(es)`);
  const expired = sf.server.requests.filter((r) => r.status === 401);
  t.ok(expired.length >= 1 && expired[0]?.route === 'bulk2.results', 'the 401 came on a results page');

  // two readers that hit the same expired session refresh it once
  sf.scenario.tokenLifetimeCalls = undefined;
  sf.expireTokens();
  const before = session.refreshes;
  const [a, b] = await Promise.all([collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM User'))), collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM Campaign')))]);
  t.ok(a.records.length > 0 && b.records.length > 0);
  t.equal(session.refreshes - before, 1, 'concurrent 401s share one refresh');
});

t.test('a 401 without INVALID_SESSION_ID is not a session expiry', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  sf.server.inject({ route: 'bulk2.create', action: { type: 'status', status: 401, body: [{ errorCode: 'OTHER', message: 'nope' }] } });
  const error = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM User'))).catch((e: unknown) => e);
  t.match(error, { name: 'Bulk2ApiError', status: 401, errorCode: 'OTHER' });
  t.equal(session.refreshes, 0);
});

t.test('transient failures: results GETs and polls are retried, the job-creating POST only on 429', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  const soql = 'SELECT Id, Subject FROM Task';
  const pages = Math.ceil(sf.simulation.company.table('salesforce', 'Task')!.count({ asOf: sf.simulation.clock.now(), includeDeleted: true }) / 500);
  const burst = sf.server.inject({ route: 'bulk2.results', after: 1, times: 2, action: { type: 'status', status: 503, body: 'Service Unavailable' } });
  sf.server.inject({ route: 'bulk2.poll', action: { type: 'error', code: 'SERVER_UNAVAILABLE' } });
  const { records } = await collect(bulkQuery(session.transport, options(sf, soql)));
  t.equal(burst.fired, 2);
  t.equal(new Set(records.map((r) => r.Id)).size, records.length);
  t.equal(sf.server.calls('bulk2.results'), pages + 2, 'the 503 page was requested again');
  t.ok(session.warnings.some((w) => /503/.test(w) && /retrying/.test(w)), 'retries are logged');

  sf.server.resetCounters();
  sf.server.inject({ route: 'bulk2.create', action: { type: 'error', code: 'SERVER_UNAVAILABLE' } });
  const error = await collect(bulkQuery(session.transport, options(sf, soql))).catch((e: unknown) => e);
  t.match(error, { status: 503, errorCode: 'SERVER_UNAVAILABLE' });
  t.equal(sf.server.calls('bulk2.create'), 1, 'a 503 on POST /jobs/query is not retried: it may have created a job');

  sf.server.resetCounters();
  sf.server.inject({ route: 'bulk2.create', action: { type: 'status', status: 429, headers: { 'retry-after': '0' }, body: 'Too Many Requests' } });
  const after429 = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM User')));
  t.ok(after429.records.length > 0);
  t.equal(sf.server.calls('bulk2.create'), 2, 'a 429 on POST was not processed, so it is retried');
});

t.test('early break: no further pages, the job is deleted', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  let seen = 0;
  for await (const record of bulkQuery(session.transport, options(sf, 'SELECT Id, Description FROM Task'))) {
    t.ok(record.Id);
    if (++seen === 5) break;
  }
  t.equal(sf.server.calls('bulk2.results'), 1, 'only the first page was requested');
  t.equal(sf.server.calls('bulk2.abort'), 0, 'a complete job needs no abort');
  t.equal(sf.server.calls('bulk2.delete'), 1, 'the job is deleted on return()');
  t.equal(await jobsLeft(sf, session), 0);

  // a throw in the consumer's loop body is an early exit too
  await t.rejects(
    (async () => {
      for await (const _ of bulkQuery(session.transport, options(sf, 'SELECT Id FROM Task'))) throw new Error('consumer failed');
    })(),
    { message: 'consumer failed' },
  );
  t.equal(sf.server.calls('bulk2.delete'), 2);
  t.equal(await jobsLeft(sf, session), 0);
});

t.test('abort signal or job timeout while the job runs: the job is aborted and deleted', async (t) => {
  const sf = await start(t, 0.1, { jobPolls: 10_000 });
  const session = await login(sf);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('shutting down')), 100);
  await t.rejects(collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM Task', { signal: controller.signal }))), { message: 'shutting down' });
  t.ok(sf.server.calls('bulk2.poll') > 1);
  t.equal(sf.server.calls('bulk2.abort'), 1, 'PATCH state Aborted');
  t.equal(sf.server.calls('bulk2.delete'), 1);
  t.equal(await jobsLeft(sf, session), 0);

  // a job that never finishes within jobTimeoutMs is given up the same way
  const error = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM Task', { jobTimeoutMs: 60 }))).catch((e: unknown) => e);
  t.type(error, Bulk2JobTimeoutError);
  t.match(error, { lastState: 'InProgress', jobId: /^750/, message: /still InProgress after/ });
  t.equal(sf.server.calls('bulk2.abort'), 2);
  t.equal(sf.server.calls('bulk2.delete'), 2);
  t.equal(await jobsLeft(sf, session), 0);
});

t.test('a page without Sforce-Locator is an error, not a loop', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  sf.server.inject({ route: 'bulk2.results', action: { type: 'status', status: 200, headers: { 'content-type': 'text/csv', 'sforce-numberofrecords': '1' }, body: '"Id"\n"005000000000001AAA"\n' } });
  const error = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM User'))).catch((e: unknown) => e);
  t.type(error, Bulk2ResultError);
  t.match(error, { message: /Sforce-Locator/, jobId: /^750/, locator: undefined });
  t.equal(sf.server.calls('bulk2.results'), 1);
  t.equal(sf.server.calls('bulk2.delete'), 1);
});

t.test('Sforce-NumberOfRecords is checked on every page; the error names the job and the locator', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  // the second page claims more rows than it has (three tries, then the error)
  sf.server.inject({ route: 'bulk2.results', after: 1, times: 3, action: { type: 'status', status: 200, headers: { 'content-type': 'text/csv', 'sforce-numberofrecords': '3', 'sforce-locator': 'null' }, body: '"Id","Subject"\n"00T000000000001AAA","a"\n' } });
  const short = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id, Subject FROM Task'))).catch((e: unknown) => e);
  t.type(short, Bulk2ResultError);
  t.match(short, { expectedRows: 3, actualRows: 1, locator: /\S/, message: /job 750\w+, results page locator \S+: .*1 rows, Sforce-NumberOfRecords says 3; gave up after 3 attempts/ });
  t.equal(sf.server.calls('bulk2.results'), 4);

  // more rows than announced: an error at once
  sf.server.resetCounters();
  sf.server.inject({ route: 'bulk2.results', action: { type: 'status', status: 200, headers: { 'content-type': 'text/csv', 'sforce-numberofrecords': '1', 'sforce-locator': 'null' }, body: '"Id"\n"a"\n"b"\n' } });
  await t.rejects(collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM User'))), { name: 'Bulk2ResultError', expectedRows: 1, actualRows: 2, message: /first page/ });
  t.equal(sf.server.calls('bulk2.results'), 1);
  t.equal(sf.server.calls('bulk2.delete'), 1);
});

t.test('a page whose connection drops or whose body is cut short is read again from the same locator', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf);
  const soql = TASK_SOQL; // about 250 bytes a row: a 400-row page is longer than the 64 KiB a fault lets through
  const expected = await collect(bulkQuery(session.transport, options(sf, soql)));
  sf.server.resetCounters();
  sf.server.inject({ route: 'bulk2.results', after: 1, action: { type: 'drop', afterBytes: 30_000 } });
  // the drop's hit is not seen by this fault: pages 1, 2 (again) go through, page 3 is cut
  sf.server.inject({ route: 'bulk2.results', after: 2, action: { type: 'truncate' } });
  const got = await collect(bulkQuery(session.transport, options(sf, soql, { maxRecordsPerPage: 400, logger: session.logger })));
  t.same(got.records, expected.records, 'same records, in order, none twice');
  t.equal(sf.server.calls('bulk2.results'), got.summary.pages + 2, 'two pages were requested twice');
  const retried = session.warnings.filter((w) => /requesting the page again/.test(w));
  t.equal(retried.length, 2, 'both logged');
  t.match(retried[0], /broke off after \d+ rows: terminated/);
  t.match(retried[1], /ended inside a quoted field|\d+ rows, Sforce-NumberOfRecords says 400/, 'a clean end in mid-page: cut inside a quoted field or short of the count');
});

t.test('no response headers in time: GETs are retried, the job-creating POST is not; broken poll bodies are polled again', async (t) => {
  const sf = await start(t, 0.1);
  const session = await login(sf, { timeoutMs: 150 });
  sf.server.inject({ route: 'bulk2.poll', action: { type: 'delay', ms: 400 } });
  sf.server.inject({ route: 'bulk2.results', action: { type: 'delay', ms: 400 } });
  sf.server.inject({ route: 'bulk2.poll', action: { type: 'drop', afterBytes: 20 } }); // hits the retry of the delayed poll
  const { records } = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM User', { logger: session.logger })));
  t.ok(records.length > 0);
  t.ok(session.warnings.some((w) => /no response within 150 ms; retrying/.test(w)), 'the slow GETs were retried');
  t.ok(session.warnings.some((w) => /job info could not be read/.test(w)), 'the broken poll body was polled again');

  sf.server.resetCounters();
  sf.server.inject({ route: 'bulk2.create', action: { type: 'delay', ms: 400 } });
  const error = await collect(bulkQuery(session.transport, options(sf, 'SELECT Id FROM User'))).catch((e: unknown) => e);
  t.type(error, UncertainRequestError);
  t.match(error, { message: /POST \/services\/data\/v62\.0\/jobs\/query failed after the request was sent .*not retried/ });
  t.equal(sf.server.calls('bulk2.create'), 1);
});
