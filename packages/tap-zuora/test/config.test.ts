/** Config: where the tenant is looked for, and bad settings named in the error. */
import t from 'tap';
import { candidateUrls, DATA_CENTERS } from '../src/config.js';
import { runCli, tempDir, writeJson } from './helpers/zuora.js';

t.test('data centres probed: base_url alone, else the override table, else the environment\'s, else all', async (t) => {
  t.same(candidateUrls({ base_url: 'https://rest.eu.zuora.com/', environment: 'US_PRODUCTION' }), ['https://rest.eu.zuora.com']);
  t.same(candidateUrls({ data_center_urls: { A: 'http://a/', B: 'http://b' } }), ['http://a', 'http://b']);
  t.same(candidateUrls({ environment: 'US_PRODUCTION' }), ['https://rest.na.zuora.com', 'https://rest.zuora.com'], 'US Cloud (DC1) first, as singer tap-zuora probes');
  t.same(candidateUrls({ environment: 'EU_SANDBOX' }), ['https://rest.sandbox.eu.zuora.com', 'https://rest.test.eu.zuora.com']);
  t.same(candidateUrls({ environment: 'PRODUCTION' }), ['https://rest.na.zuora.com', 'https://rest.zuora.com', 'https://rest.eu.zuora.com', 'https://rest.ap.zuora.com']);
  t.equal(candidateUrls({}).length, Object.values(DATA_CENTERS).reduce((n, group) => n + Object.keys(group).length, 0), 'nothing set: every data centre');
});

t.test('a bad setting stops the run naming it, before any request', async (t) => {
  const dir = tempDir();
  const bad = await runCli(['--config', writeJson(dir, 'c.json', { base_url: 'http://127.0.0.1:9', client_id: 'x', client_secret: 'y', api_type: 'BULK' }), '--discover']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /api_type/);
  const concurrency = await runCli(['--config', writeJson(dir, 'd.json', { base_url: 'http://127.0.0.1:9', client_id: 'x', client_secret: 'y', max_concurrent_jobs: 0 }), '--discover']);
  t.equal(concurrency.code, 1);
  t.match(concurrency.stderr, /max_concurrent_jobs/);
  t.notMatch(concurrency.stderr, /"y"|secret: y/, 'the secret is not echoed');
});
