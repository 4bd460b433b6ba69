import { loadConfig, TAP_SDK_SETTINGS, type ConfigSpec } from '@singer-io-ts/sdk';
import t from 'tap';
import { loginFlow } from '../src/auth.js';
import { TapSalesforce } from '../src/index.js';
import { tempDir, writeJson } from './helpers/salesforce.js';

const tap = new TapSalesforce();
const spec: ConfigSpec = { schema: tap.configSchema, envPrefix: tap.envPrefix, envAliases: tap.envAliases, sdkSettings: TAP_SDK_SETTINGS };

t.test('every key of the issue, with its default; secrets marked secret', async (t) => {
  const properties = tap.configSchema.properties ?? {};
  t.same(Object.keys(properties).sort(), [
    'api_type', 'api_version', 'bulk_threshold_rows', 'client_id', 'client_secret', 'instance_url', 'login_url', 'lookback_window', 'max_workers', 'password',
    'private_key', 'quota_percent_per_run', 'quota_percent_total', 'refresh_token', 'security_token', 'start_date', 'streams_to_discover', 'username',
  ]);
  const secrets = Object.entries(properties).filter(([, p]) => p.secret === true).map(([name]) => name).sort();
  t.same(secrets, ['client_secret', 'password', 'private_key', 'refresh_token', 'security_token']);
  const { config } = loadConfig([writeJson(tempDir(), 'c.json', { refresh_token: 'r', client_id: 'c' })], spec, { env: {} });
  t.match(config, { login_url: 'https://login.salesforce.com', api_version: '62.0', api_type: 'AUTO', bulk_threshold_rows: 50_000, quota_percent_total: 80, quota_percent_per_run: 25, lookback_window: 0, max_workers: 8 });
});

t.test('SFDC_URL, SFDC_USERNAME, SFDC_PASSWORD and TAP_SALESFORCE_* fill the config; secrets are redacted', async (t) => {
  const env = { SFDC_URL: 'https://acme.my.salesforce.com', SFDC_USERNAME: 'ci@acme.com', SFDC_PASSWORD: 'pa55-from-ci', TAP_SALESFORCE_SECURITY_TOKEN: 'tok3n-from-ci', TAP_SALESFORCE_MAX_WORKERS: '3' };
  const { config, redactor } = loadConfig([], spec, { env });
  t.match(config, { login_url: 'https://acme.my.salesforce.com', username: 'ci@acme.com', password: 'pa55-from-ci', security_token: 'tok3n-from-ci', max_workers: 3 });
  t.equal(redactor.redactText('login with pa55-from-ci and tok3n-from-ci'), 'login with *** and ***');
  t.equal(loginFlow(config), 'soap_password');
});

t.test('the login follows from the keys present, with a message naming what is missing', async (t) => {
  t.equal(loginFlow({ client_id: 'c', client_secret: 's', refresh_token: 'r', username: 'u', password: 'p' }), 'refresh_token', 'a refresh token wins');
  t.equal(loginFlow({ client_id: 'c', username: 'u', private_key: 'k' }), 'jwt_bearer');
  t.equal(loginFlow({ client_id: 'c', client_secret: 's', username: 'u', password: 'p' }), 'oauth_password');
  t.equal(loginFlow({ username: 'u', password: 'p' }), 'soap_password');
  t.equal(loginFlow({ client_id: 'c', client_secret: 's' }), 'client_credentials');
  t.throws(() => loginFlow({ refresh_token: 'r' }), /refresh_token needs client_id/);
  t.throws(() => loginFlow({ private_key: 'k', client_id: 'c' }), /needs client_id and username/);
  t.throws(() => loginFlow({ username: 'u' }), /needs both username and password/);
  t.throws(() => loginFlow({}), /no login configured/);
});

t.test('bad values are refused before any I/O, naming the key', async (t) => {
  const dir = tempDir();
  t.throws(() => loadConfig([writeJson(dir, 'a.json', { api_type: 'SOAP' })], spec, { env: {} }), /api_type/);
  t.throws(() => loadConfig([writeJson(dir, 'b.json', { quota_percent_total: 0 })], spec, { env: {} }), /quota_percent_total/);
  t.throws(() => loadConfig([writeJson(dir, 'c.json', { api_version: 'v62' })], spec, { env: {} }), /api_version/);
  t.throws(() => loadConfig([writeJson(dir, 'd.json', { login_url: 'login.salesforce.com' })], spec, { env: {} }), /login_url/);
});
