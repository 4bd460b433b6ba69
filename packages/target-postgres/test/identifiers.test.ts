import t from 'tap';
import { disambiguate, MAX_IDENTIFIER_BYTES, pgIdentifier, qualified, quoteIdentifier } from '../src/identifiers.js';

t.test('identifiers are always quoted, quotes doubled', async (t) => {
  t.equal(quoteIdentifier('a"b'), '"a""b"');
  t.equal(qualified('s"x', 'id; DROP TABLE x; --'), '"s""x"."id; DROP TABLE x; --"');
});

t.test('case folding and NUL', async (t) => {
  t.equal(pgIdentifier('AccountId'), 'accountid');
  t.equal(pgIdentifier('AccountId', 'preserve'), 'AccountId');
  t.equal(pgIdentifier('a\0b'), 'ab');
  t.equal(pgIdentifier(''), '_');
});

t.test('long names are shortened deterministically, within 63 bytes, without collisions', async (t) => {
  const prefix = 'very_long_custom_field_name_that_salesforce_admins_love_to_create_';
  const a = pgIdentifier(`${prefix}alpha__c`);
  const b = pgIdentifier(`${prefix}beta__c`);
  t.not(a, b);
  t.equal(a, pgIdentifier(`${prefix}alpha__c`), 'same name, same column');
  t.ok(Buffer.byteLength(a) <= MAX_IDENTIFIER_BYTES);
  const unicode = pgIdentifier('ü'.repeat(40));
  t.ok(Buffer.byteLength(unicode) <= MAX_IDENTIFIER_BYTES, 'multi-byte names are cut on a character boundary');
  t.notMatch(unicode, /\uFFFD/);
  t.equal(pgIdentifier('x'.repeat(63)), 'x'.repeat(63), '63 bytes fit');
});

t.test('folding collisions get a hash suffix', async (t) => {
  const taken = new Set(['name']);
  const other = disambiguate(pgIdentifier('Name'), 'Name', taken);
  t.not(other, 'name');
  t.match(other, /^name_[0-9a-f]{10}$/);
  t.equal(disambiguate('email', 'Email', taken), 'email');
});
