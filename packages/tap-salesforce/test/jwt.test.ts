/**
 * JWT bearer login. The simulator has no JWT grant, so a stub token endpoint stands in for the
 * login host: it checks the assertion as Salesforce does (RS256 signature against the connected
 * app's certificate, iss/sub/aud/exp) and hands out a real session of the simulated org.
 */
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { jwtAudience } from '../src/auth.js';
import { buildJwtAssertion, JWT_BEARER_GRANT, readPrivateKey } from '../src/jwt.js';
import { simIds, startOrg, syncStreams, tempDir, writeJson, type TestContext } from './helpers/salesforce.js';
import type { SalesforceSimulator } from '@singer-io-ts/simulators';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function decode(assertion: string): { header: any; claims: any; valid: (key: KeyObject) => boolean } {
  const [header, claims, signature] = assertion.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
    valid: (key) => verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, 'base64url')),
  };
}

t.test('the assertion: RS256 over iss, sub, aud and a 3-minute exp', async (t) => {
  const assertion = buildJwtAssertion({ clientId: '3MVG9client', username: 'etl@example.com', audience: 'https://login.salesforce.com', now: 1_700_000_000 }, readPrivateKey(PEM));
  const { header, claims, valid } = decode(assertion);
  t.same(header, { alg: 'RS256', typ: 'JWT' });
  t.same(claims, { iss: '3MVG9client', sub: 'etl@example.com', aud: 'https://login.salesforce.com', exp: 1_700_000_180 });
  t.ok(valid(publicKey), 'signed by the private key');
  t.notOk(valid(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey), 'and by no other');
  t.equal(jwtAudience('https://acme--uat.sandbox.my.salesforce.com'), 'https://test.salesforce.com');
  t.equal(jwtAudience('https://test.salesforce.com'), 'https://test.salesforce.com');
  t.equal(jwtAudience('https://acme.my.salesforce.com'), 'https://login.salesforce.com');
});

t.test('private_key: PEM text, a file path, or PEM with escaped newlines; errors never quote it', async (t) => {
  const file = writeJson(tempDir(), 'key.pem', PEM);
  t.ok(readPrivateKey(file), 'from a file');
  t.ok(readPrivateKey(PEM.replace(/\n/g, '\\n')), 'with \\n escapes, as pasted into JSON or env');
  t.throws(() => readPrivateKey('/no/such/key.pem'), /private_key is neither PEM text/);
  const bad = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----';
  const error = (() => {
    try {
      readPrivateKey(bad);
    } catch (e) {
      return e as Error;
    }
  })();
  t.match(error?.message, /^private_key could not be read as a PEM private key$/, 'PEM text: the key is not named');
  t.notMatch(error?.message, /bm90IGEga2V5/);
  const badFile = writeJson(tempDir(), 'bad.pem', bad);
  t.throws(() => readPrivateKey(badFile), { message: `private_key (the file ${badFile}) could not be read as a PEM private key` }, 'a file: named by its path, its text not quoted');
});

/** A login host that accepts JWT bearer assertions for the simulated org. */
async function jwtLoginHost(t: TestContext, sf: SalesforceSimulator, clientId: string, username: string): Promise<{ url: string; grants: () => number }> {
  let grants = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const fail = (description: string) => {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', error_description: description }));
      };
      if (req.url !== '/services/oauth2/token' || form.get('grant_type') !== JWT_BEARER_GRANT) return fail('unsupported');
      const { claims, valid } = decode(form.get('assertion') ?? '..');
      if (!valid(publicKey)) return fail('invalid assertion');
      if (claims.iss !== clientId || claims.sub !== username || claims.aud !== 'https://login.salesforce.com') return fail('audience or subject wrong');
      if (!(claims.exp > Date.now() / 1000 && claims.exp <= Date.now() / 1000 + 180)) return fail('expired');
      if (form.has('client_secret')) return fail('no secret expected');
      grants += 1;
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ access_token: sf.issueToken(), instance_url: sf.url, id: `${url}/id/${sf.orgId}/${sf.userId}`, token_type: 'Bearer', issued_at: String(Date.now()), scope: 'api' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, grants: () => grants };
}

t.test('JWT bearer login syncs the org, and signs a new assertion whenever the session dies', async (t) => {
  const sf = await startOrg(t, { scenario: { tokenLifetimeCalls: 2, maxQueryBatchSize: 50 } });
  const host = await jwtLoginHost(t, sf, 'jwt-client', 'integration@example.com');
  const config = { login_url: host.url, api_version: '62.0', api_type: 'REST' as const, start_date: String(sf.tapConfig.start_date), client_id: 'jwt-client', username: 'integration@example.com', private_key: PEM };
  const run = await syncStreams(config, ['Contact']);
  t.same(run.records('Contact').map((r) => String(r.Id)).sort(), simIds(sf, 'Contact'));
  t.ok(host.grants() >= 4, `${host.grants()} assertions accepted`);
  t.ok(sf.server.requests.some((r) => r.status === 401), 'sessions did expire');
  t.ok(run.logLines.some((line) => /logged in to .* \(jwt bearer\)/.test(line)));
});
