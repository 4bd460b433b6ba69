/**
 * The real `bizops-simulators` binary (bin/ imports dist: build first), driven the way a user or a
 * CI job script drives it: start, read the printed tap configs, talk to each server, stop with SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bizops-simulators.js');

t.test('--help prints the usage and exits 0', async (t) => {
  const result = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  t.equal(result.status, 0);
  t.match(result.stdout, /Usage: bizops-simulators/);
  t.match(result.stdout, /--config-dir/);
});

t.test('a bad argument names the flag and exits 2 without starting anything', async (t) => {
  const badPort = spawnSync(process.execPath, [BIN, '--zuora', '70000'], { encoding: 'utf8' });
  t.equal(badPort.status, 2);
  t.match(badPort.stderr, /--zuora: port must be an integer from 0 to 65535, got '70000'/);
  t.equal(badPort.stdout, '');
  const badScale = spawnSync(process.execPath, [BIN, '--scale', '0'], { encoding: 'utf8' });
  t.equal(badScale.status, 2);
  t.match(badScale.stderr, /--scale: invalid value '0'/);
  const unknown = spawnSync(process.execPath, [BIN, '--hubspot'], { encoding: 'utf8' });
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /hubspot/);
});

t.test('--set rejects a switch the server does not have, naming the known ones', async (t) => {
  const result = spawnSync(process.execPath, [BIN, '--zuora', '--scale', '0.01', '--set', 'zuora.jobPoll=3'], { encoding: 'utf8', timeout: 20_000 });
  t.equal(result.status, 2);
  t.match(result.stderr, /--set zuora\.jobPoll: no such scenario switch; known: .*jobPolls/);
  const wrongType = spawnSync(process.execPath, [BIN, '--zuora', '--scale', '0.01', '--set', 'zuora.jobPolls=many'], { encoding: 'utf8', timeout: 20_000 });
  t.equal(wrongType.status, 2);
  t.match(wrongType.stderr, /--set zuora\.jobPolls: expected a number, got "many"/);
  const notStarted = spawnSync(process.execPath, [BIN, '--zuora', '--scale', '0.01', '--set', 'marketo.corona=false'], { encoding: 'utf8', timeout: 20_000 });
  t.equal(notStarted.status, 2);
  t.match(notStarted.stderr, /the marketo server is not started/);
  const malformed = spawnSync(process.execPath, [BIN, '--set', 'corona=false'], { encoding: 'utf8', timeout: 20_000 });
  t.equal(malformed.status, 2);
  t.match(malformed.stderr, /--set: expected SERVER\.KEY=VALUE/);
});

t.test('starts the three servers, prints and writes tap configs, serves them, stops on SIGTERM', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'bizops-simulators-cli-'));
  const child = spawn(process.execPath, [BIN, '--salesforce', '--zuora', '0', '--marketo', '--scale', '0.1', '--config-dir', dir, '--set', 'salesforce.maxApiVersion=60'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const configs = await new Promise<Record<string, Record<string, unknown>>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        resolve(JSON.parse(stdout) as Record<string, Record<string, unknown>>);
      } catch {
        // the document is not complete yet
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing configs: ${stderr}`)));
  });
  t.same(Object.keys(configs).sort(), ['tap-marketo', 'tap-salesforce', 'tap-zuora']);
  t.match(stderr, /salesforce listening on http:\/\/127\.0\.0\.1:\d+/);
  t.match(stderr, /scale 0\.1/);

  for (const tap of Object.keys(configs)) {
    const file = path.join(dir, `${tap}.json`);
    t.same(JSON.parse(await readFile(file, 'utf8')), configs[tap], `${tap}.json holds the printed config`);
    t.equal((await stat(file)).mode & 0o777, 0o600, `${tap}.json is readable by its owner only (it holds credentials)`);
  }

  const salesforce = configs['tap-salesforce']!;
  const versions = await fetch(new URL('/services/data/', String(salesforce['instance_url'])));
  t.equal(versions.status, 200);
  const listed = (await versions.json()) as { version: string }[];
  t.equal(listed.at(-1)?.version, '60.0', '--set salesforce.maxApiVersion=60 reached the running server');

  const zuora = configs['tap-zuora']!;
  const token = await fetch(new URL('/oauth/token', String(zuora['base_url'])), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(zuora['client_id']), client_secret: String(zuora['client_secret']) }),
  });
  t.equal(token.status, 200);
  t.type(((await token.json()) as { access_token?: unknown }).access_token, 'string', 'Zuora issues a token for the printed credentials');

  const marketo = configs['tap-marketo']!;
  const identity = new URL(String(marketo['identity']).replace(/\/?$/, '/oauth/token'));
  identity.search = new URLSearchParams({ grant_type: 'client_credentials', client_id: String(marketo['client_id']), client_secret: String(marketo['client_secret']) }).toString();
  const marketoToken = await fetch(identity);
  t.equal(marketoToken.status, 200);
  t.type(((await marketoToken.json()) as { access_token?: unknown }).access_token, 'string', 'Marketo issues a token for the printed credentials');

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM stops it cleanly');
  t.match(stderr, /SIGTERM, stopping/);
});
