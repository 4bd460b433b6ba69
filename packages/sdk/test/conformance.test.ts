import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Tap, type StreamDefinition } from '../src/index.js';
import { checkTapConformance, runTap } from '../src/testing/index.js';
import { ExampleTap, type ExampleConfig } from './fixtures/example-tap/tap.js';

const config: ExampleConfig = { data_dir: fileURLToPath(new URL('./fixtures/example-tap/', import.meta.url)), api_key: 'good-key-123', page_size: 5 };

t.test('the example tap passes the conformance checks', async (t) => {
  t.same(await checkTapConformance({ tap: new ExampleTap(), config }), []);
});

class BrokenTap extends Tap {
  readonly name = 'tap-broken';
  readonly version = '0.0.0';
  readonly configSchema = { type: 'object' as const, properties: {} };
  streams(): StreamDefinition[] {
    return [
      {
        name: 'items',
        keyProperties: ['uuid'],
        replicationKey: 'changed',
        schema: { type: 'object', properties: { id: { type: 'integer' }, changed: { type: 'integer' } } },
        async *records({ startingValue }) {
          // Ignores its bookmark, and sends a string where the schema says integer.
          void startingValue;
          yield { id: 1, changed: 5 };
          yield { id: 'two', changed: 7 };
        },
      },
    ];
  }
}

t.test('a broken tap gets a list of what is wrong', async (t) => {
  const problems = await checkTapConformance({ tap: new BrokenTap(), config: {} });
  t.same(problems, [
    'stream "items": key property "uuid" is not in its schema',
    'stream "items": record does not match its schema: record.id must be integer',
    'stream "items": resumed run emitted changed=5, older than the bookmark 7',
  ]);
});

t.test('a stream declared sorted that is not fails with the values named', async (t) => {
  const tap = new BrokenTap();
  const stream = tap.streams()[0]!;
  stream.isSorted = true;
  stream.records = async function* () {
    yield { id: 1, changed: 7 };
    yield { id: 2, changed: 5 };
  };
  tap.streams = () => [stream];
  await t.rejects(runTap(tap, { config: {} }), { message: 'stream "items" is declared sorted, but changed went back from 7 to 5' });
});
