import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { envVarName, loadConfig, type ConfigSpec } from '../src/config.js';
import { memoryLogger } from '../src/logging.js';

const dir = mkdtempSync(join(tmpdir(), 'config-'));
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

const spec: ConfigSpec = {
  envPrefix: 'TAP_DEMO',
  envAliases: { SFDC_USERNAME: 'username' },
  schema: {
    type: 'object',
    required: ['username'],
    properties: {
      username: { type: 'string' },
      password: { type: 'string', secret: true },
      page_size: { type: 'integer', default: 100 },
      sandbox: { type: 'boolean' },
      objects: { type: 'array', items: { type: 'string' } },
      'api-version': { type: 'string' },
    },
  },
};

t.test('files merge in order, environment fills gaps, aliases last, defaults applied', async (t) => {
  const env = { TAP_DEMO_USERNAME: 'from-env', TAP_DEMO_SANDBOX: 'true', TAP_DEMO_OBJECTS: '["Account","Lead"]', SFDC_USERNAME: 'from-alias', TAP_DEMO_API_VERSION: '61.0' };
  const { config } = loadConfig([file('a.json', { username: 'a', password: 'first-secret' }), file('b.json', { username: 'b' })], spec, { env });
  t.same(config, { username: 'b', password: 'first-secret', sandbox: true, objects: ['Account', 'Lead'], 'api-version': '61.0', page_size: 100 });
  t.equal(loadConfig([], spec, { env: { SFDC_USERNAME: 'alias-user' } }).config.username, 'alias-user');
  t.equal(loadConfig([], spec, { env: { SFDC_USERNAME: 'alias-user', TAP_DEMO_USERNAME: 'prefixed' } }).config.username, 'prefixed', 'the connector prefix wins over an alias');
  t.equal(envVarName('tap-demo', 'api-version'), 'TAP_DEMO_API_VERSION');
});

t.test('errors name the key or variable and never the value', async (t) => {
  t.throws(() => loadConfig([], spec, { env: { TAP_DEMO_USERNAME: 'u', TAP_DEMO_PAGE_SIZE: 'lots' } }), { name: 'ConfigError', message: 'environment variable TAP_DEMO_PAGE_SIZE must be integer' });
  t.throws(() => loadConfig([], spec, { env: { TAP_DEMO_USERNAME: 'u', TAP_DEMO_OBJECTS: '[oops' } }), { message: 'environment variable TAP_DEMO_OBJECTS must hold JSON (array)' });
  t.throws(() => loadConfig([join(dir, 'missing.json')], spec), { message: /cannot read config file .*missing\.json: ENOENT/ });
  t.throws(() => loadConfig([file('arr.json', [1])], spec), { message: /must hold a JSON object/ });
  t.throws(() => loadConfig([file('p.json', { username: 'u', password: 42 })], spec), { message: 'invalid config: password must be string' });
});

t.test('unknown keys warn with a suggestion; secrets are known to the redactor', async (t) => {
  const logger = memoryLogger();
  const { unknownKeys, redactor } = loadConfig(
    [file('c.json', { username: 'u', pasword: 'x', password: 'hunter22', stream_map_config: { pepper: 'not-a-key-name-secret' } })],
    spec,
    { env: {}, logger },
  );
  t.same(unknownKeys, ['pasword']);
  t.match(logger.lines[0], 'WARN test: unknown config key "pasword" ignored (did you mean "password"?)');
  t.equal(redactor.redactText('login hunter22 with salt not-a-key-name-secret'), 'login *** with salt ***');
  t.equal(redactor.redactText('user u'), 'user u', 'non-secret values stay');
});
