import t from 'tap';
import { ProtocolError, FatalError, RetriableError, isRetriable } from '../src/errors.js';

t.test('ProtocolError names the line and is fatal', async (t) => {
  const error = new ProtocolError('RECORD before SCHEMA for stream "users"', { line: 12, source: 'stdin', stream: 'users' });
  t.equal(error.message, 'stdin line 12: RECORD before SCHEMA for stream "users"');
  t.ok(error instanceof FatalError);
  t.equal(error.name, 'ProtocolError');
  t.equal(error.stream, 'users');
});

t.test('RetriableError carries Retry-After', async (t) => {
  const error = new RetriableError('throttled', { retryAfterMs: 2000, status: 429 });
  t.ok(isRetriable(error));
  t.equal(error.retryAfterMs, 2000);
  t.notOk(isRetriable(new FatalError('no')));
});
