/**
 * Bulk API 2.0 as a `QueryReader` (`api_type` BULK, and the objects AUTO finds large), over
 * the client's session (client.bulkTransport: same token, same renewal as REST).
 *
 * - Rows of a Bulk job come in no guaranteed order (Salesforce does not promise ORDER BY in Bulk
 *   results), so this reader is `sorted: false`: the stream's bookmark moves once the object is
 *   read whole (extract.ts then saves the tie-breaking `last_id` of the final bookmark), and the
 *   Bulk SOQL carries no ORDER BY.
 * - Compound fields (address, location) cannot be selected in Bulk: their components are queried
 *   instead and the compound value is composed from them as REST nests it. Binary (base64) fields
 *   and objects Bulk refuses (INVALIDENTITY, API_ERROR at job creation) are read through REST, with
 *   one warning per object naming the reason.
 * - A job that fails with QUERY_TIMEOUT becomes `QueryTimeoutError`, so windows.ts halves the
 *   window. Any other failed (or aborted, or never finished, or not created because of a 5xx or an
 *   answer lost) job: the window is tried once more as two halves, and a half that fails again is
 *   read through REST, with a warning.
 * - Limits are the transport's (client.ts): a concurrency 403 is retried, the daily limit stops
 *   the run cleanly; so does a call that still fails after the retries (factory.ts).
 * - A read that stops (quota, SIGTERM, outage) keeps its complete job; the next run reads on from
 *   the page the bookmark names (bulk-resume.ts).
 * - REST in Bulk's place needs a query short enough for a URL (url-limit.ts). An object too wide
 *   for it that Bulk refuses or fails on cannot be read: the stream fails naming the object, its
 *   field count and Bulk's reason; when the reason is the org's daily Bulk jobs being used up, the
 *   run stops cleanly instead, for the next run to read it.
 */
import { errorMessage, FatalError, QuotaExhaustedError } from '@singer-io-ts/sdk';
import { Bulk2ApiError, Bulk2JobAbortedError, Bulk2JobFailedError, Bulk2JobTimeoutError, bulkQuery, deleteBulkJob, fieldSpecsFromSchema, isQueryTimeout, UncertainRequestError, type BulkResumePoint } from '../bulk2/index.js';
import type { SalesforceClient } from '../client.js';
import { QueryTimeoutError } from '../errors.js';
import { buildSoql, type QuerySpec, type QueryWindow } from '../soql.js';
import type { FieldDescribe, ObjectDescribe } from './describe.js';
import type { QueryReader, QueryRequest, RawRow } from './reader.js';
import { restReader } from './rest-reader.js';
import { fieldShape } from './schema.js';
import { queryDigest } from './bulk-resume.js';
import { restTooLong } from './url-limit.js';
import { splitWindow } from './windows.js';

export interface BulkReaderOptions {
  /** Job polling; bulkQuery's default (1 s doubling to 30 s) when unset. */
  pollIntervalMs?: { initial: number; max: number };
  /** Epoch ms, the upper end for splitting an open window. */
  now?: () => number;
  /** A job not finished after this long counts as failed; bulkQuery's default (6 h) when unset. */
  jobTimeoutMs?: number;
}

type Choice = { api: 'BULK' } | { api: 'REST' };

/** Component suffixes as REST keys a compound's nested object (the longest that matches first). */
const ADDRESS_KEYS = ['GeocodeAccuracy', 'PostalCode', 'StateCode', 'CountryCode', 'Street', 'City', 'State', 'Country', 'Latitude', 'Longitude'];
const ADDRESS_DEFAULT_KEYS = ['city', 'country', 'geocodeAccuracy', 'latitude', 'longitude', 'postalCode', 'state', 'street'];
const LOCATION_DEFAULT_KEYS = ['latitude', 'longitude'];

interface Compound {
  name: string;
  keys: string[];
  components: Array<{ key: string; field: string }>;
}

interface BulkPlan {
  /** The fields to select: the request's, compounds replaced by their components. */
  fields: FieldDescribe[];
  compounds: Compound[];
}

const isCompound = (field: FieldDescribe) => field.type === 'address' || field.type === 'location';

/** What to select in Bulk, or the reason Bulk cannot serve the request. */
export function bulkPlan(object: ObjectDescribe, fields: readonly FieldDescribe[]): BulkPlan | { reason: string } {
  const binary = fields.filter((field) => field.type === 'base64');
  if (binary.length > 0) return { reason: `binary (base64) field ${binary.map((field) => field.name).join(', ')} cannot be read through Bulk API 2.0` };
  const selected = new Map(fields.filter((field) => !isCompound(field)).map((field) => [field.name, field]));
  const compounds: Compound[] = [];
  for (const field of fields.filter(isCompound)) {
    const components: Compound['components'] = [];
    for (const other of object.fields) {
      if (other.compoundFieldName !== field.name || isCompound(other)) continue;
      const base = other.name.replace(/__s$/, '').toLowerCase();
      const suffix = ADDRESS_KEYS.find((key) => base.endsWith(key.toLowerCase()));
      if (!suffix) continue;
      components.push({ key: suffix[0]!.toLowerCase() + suffix.slice(1), field: other.name });
      if (!selected.has(other.name)) selected.set(other.name, other);
    }
    if (components.length === 0) return { reason: `compound field ${field.name} has no component fields to select in Bulk API 2.0` };
    const keys = new Set(field.type === 'address' ? ADDRESS_DEFAULT_KEYS : LOCATION_DEFAULT_KEYS);
    for (const { key } of components) keys.add(key);
    compounds.push({ name: field.name, keys: [...keys].sort(), components });
  }
  return { fields: [...selected.values()], compounds };
}

/** The compound value REST would return: null when every component is, else every key. */
function compose(row: RawRow, compound: Compound): Record<string, unknown> | null {
  if (compound.components.every(({ field }) => row[field] == null)) return null;
  const value: Record<string, unknown> = {};
  for (const key of compound.keys) value[key] = null;
  for (const { key, field } of compound.components) value[key] = row[field] ?? null;
  return value;
}

function describeWindow(window: QueryWindow): string {
  return `[${window.from ?? 'beginning'}, ${window.to ?? 'now'})`;
}

/**
 * A job that failed, was aborted, did not finish in time (bulkQuery aborted it), or could not be
 * created because the server failed or its answer was lost (a 5xx, a dropped connection or body:
 * not retried by the transport since a job may exist; such a job is left to expire).
 */
const jobFailed = (error: unknown) =>
  error instanceof Bulk2JobFailedError ||
  error instanceof Bulk2JobAbortedError ||
  error instanceof Bulk2JobTimeoutError ||
  error instanceof UncertainRequestError ||
  (error instanceof Bulk2ApiError && error.method === 'POST' && error.status >= 500);
/** What Bulk will not do that REST can: objects it does not support, or no Bulk jobs left today. */
const refused = (error: unknown): error is Bulk2ApiError =>
  error instanceof Bulk2ApiError && (error.errorCode === 'INVALIDENTITY' || error.errorCode === 'API_ERROR' || error.errorCode === 'LIMIT_EXCEEDED');

export function bulkReader(options: BulkReaderOptions): QueryReader {
  const now = options.now ?? Date.now;
  const choices = new Map<string, Choice>();
  /** Set once the org's daily Bulk query jobs are used up: every later object goes to REST. */
  let bulkExhausted: string | undefined;

  /**
   * Throws when REST cannot take the request either (see the module comment). `untilTomorrow`:
   * Bulk's reason is the daily job limit, which clears.
   */
  const checkRest = (client: SalesforceClient, request: QueryRequest, reason: string, untilTomorrow = false): void => {
    const tooLong = restTooLong(client, request.spec, request.includeDeleted);
    if (!tooLong) return;
    const message = `${tooLong}, and Bulk API 2.0 cannot read it: ${reason}`;
    throw untilTomorrow ? new QuotaExhaustedError(`${message}; the next run reads it`) : new FatalError(message);
  };

  const toRest = (client: SalesforceClient, request: QueryRequest, reason: string, untilTomorrow = false): Choice => {
    checkRest(client, request, reason, untilTomorrow);
    const choice: Choice = { api: 'REST' };
    choices.set(request.object.name, choice);
    request.logger.warn(`${request.object.name}: reading through REST instead of Bulk API 2.0: ${reason}`);
    return choice;
  };

  const choose = async (client: SalesforceClient, request: QueryRequest): Promise<Choice> => {
    const known = choices.get(request.object.name);
    if (known) return known;
    if (bulkExhausted) return toRest(client, request, bulkExhausted, true);
    const plan = bulkPlan(request.object, request.fields);
    if ('reason' in plan) return toRest(client, request, plan.reason);
    choices.set(request.object.name, { api: 'BULK' });
    return { api: 'BULK' };
  };

  async function* job(client: SalesforceClient, request: QueryRequest, spec: QuerySpec): AsyncGenerator<RawRow> {
    const plan = bulkPlan(request.object, request.fields);
    if ('reason' in plan) throw new Error(plan.reason); // checked in choose()
    const schema = { type: 'object' as const, properties: Object.fromEntries(plan.fields.map((field) => [field.name, fieldShape(field).schema])) };
    const soql = buildSoql({ ...spec, fields: plan.fields.map((field) => field.name) }, { orderBy: false });
    const resume = await savedJob(client, request, soql);
    const saver = request.bulkResume;
    const rows = bulkQuery(client.bulkTransport, {
      apiVersion: client.version,
      soql,
      includeDeleted: request.includeDeleted,
      fields: fieldSpecsFromSchema(schema),
      signal: request.signal,
      logger: request.logger,
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.jobTimeoutMs !== undefined ? { jobTimeoutMs: options.jobTimeoutMs } : {}),
      ...(resume ? { resume } : {}),
      ...(saver ? { keepUnfinished: true, onResumePoint: (point: BulkResumePoint) => saver.point(soql, point) } : {}),
    });
    for await (const row of rows) {
      for (const compound of plan.compounds) row[compound.name] = compose(row, compound);
      yield row;
    }
  }

  /** The earlier run's job if it ran this very query; one that ran another is deleted. */
  async function savedJob(client: SalesforceClient, request: QueryRequest, soql: string): Promise<BulkResumePoint | undefined> {
    const saved = request.bulkResume?.take();
    if (!saved) return undefined;
    if (saved.query_sha256 === queryDigest(soql)) return { jobId: saved.id, locator: saved.locator };
    request.logger.warn(`${request.object.name}: the Bulk API 2.0 job ${saved.id} an earlier run left ran another query (the bookmark or the selected fields changed); starting a new job`);
    await deleteBulkJob(client.bulkTransport, client.version, saved.id, request.logger);
    return undefined;
  }

  return {
    name: 'Bulk API 2.0',
    sorted: false,
    async *read(client, request) {
      const name = request.object.name;
      if ((await choose(client, request)).api === 'REST') {
        yield* restReader.read(client, request);
        return;
      }
      const spec = request.spec;
      let yielded = false;
      try {
        for await (const row of job(client, request, spec)) {
          yielded = true;
          yield row;
        }
        return;
      } catch (error) {
        if (yielded) throw error;
        if (isQueryTimeout(error)) throw new QueryTimeoutError(`${name}: Bulk API 2.0 job failed: ${errorMessage(error)}`, { cause: error });
        if (refused(error)) {
          if (error.errorCode === 'LIMIT_EXCEEDED') bulkExhausted = `the org's daily Bulk API limit is reached (${errorMessage(error)})`;
          toRest(client, request, `Bulk API 2.0 refused the query (${error.errorCode}: ${errorMessage(error)})`, error.errorCode === 'LIMIT_EXCEEDED');
          yield* restReader.read(client, request);
          return;
        }
        if (!jobFailed(error)) throw error;
        const halves = spec.replicationKey ? splitWindow(spec.window, now()) : undefined;
        if (!halves) {
          checkRest(client, request, `its job failed (${errorMessage(error)})`);
          request.logger.warn(`${name}: Bulk API 2.0 job failed on ${describeWindow(spec.window)} (${errorMessage(error)}); reading that window through REST`);
          yield* restReader.read(client, request);
          return;
        }
        request.logger.warn(`${name}: Bulk API 2.0 job failed on ${describeWindow(spec.window)} (${errorMessage(error)}); trying it again in two halves`);
        for (const window of halves) {
          const half: QuerySpec = { ...spec, window };
          let got = false;
          try {
            for await (const row of job(client, request, half)) {
              got = true;
              yield row;
            }
          } catch (again) {
            if (got || !jobFailed(again)) throw again;
            checkRest(client, { ...request, spec: half }, `its job failed again on ${describeWindow(window)} (${errorMessage(again)})`);
            request.logger.warn(`${name}: Bulk API 2.0 job failed again on ${describeWindow(window)} (${errorMessage(again)}); reading that window through REST`);
            yield* restReader.read(client, { ...request, spec: half, soql: buildSoql(half) });
          }
        }
      }
    },
  };
}
