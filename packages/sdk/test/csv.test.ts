/** The streaming CSV parser shared by the taps' bulk readers. */
import t, { type Test } from 'tap';
import { CsvParseError, CsvRowParser, csvRows } from '../src/csv.js';

function parseWhole(text: string, delimiter = ','): string[][] {
  const parser = new CsvRowParser({ delimiter });
  const rows = parser.push(text);
  return parser.end(rows);
}

/** The same text pushed in every possible pair of chunks must give the same rows. */
function parseEverySplit(t: Test, text: string, expected: string[][]): void {
  for (let cut = 0; cut <= text.length; cut += 1) {
    const parser = new CsvRowParser();
    const rows = parser.push(text.slice(0, cut));
    parser.push(text.slice(cut), rows);
    parser.end(rows);
    if (JSON.stringify(rows) !== JSON.stringify(expected)) {
      t.same(rows, expected, `split at ${cut}`);
      return;
    }
  }
  t.pass(`all ${text.length + 1} splits agree`);
}

const SAMPLE =
  '"Id","Name","IsDeleted","AnnualRevenue","CreatedDate","Description","Account.Name"\n' +
  '"0015e00000AbCdEAAV","Acme, Inc.","false","5000000.0","2024-01-02T03:04:05.000Z","line one\nline two with ""quotes""",""\n' +
  '"0015e00000AbCdFAAV","Nul\u0000Byte","true",,"2024-01-03T00:00:00.000Z",,"Parent"\n';

const SAMPLE_ROWS = [
  ['Id', 'Name', 'IsDeleted', 'AnnualRevenue', 'CreatedDate', 'Description', 'Account.Name'],
  ['0015e00000AbCdEAAV', 'Acme, Inc.', 'false', '5000000.0', '2024-01-02T03:04:05.000Z', 'line one\nline two with "quotes"', ''],
  ['0015e00000AbCdFAAV', 'NulByte', 'true', '', '2024-01-03T00:00:00.000Z', '', 'Parent'],
];

t.test('quoted newlines, doubled quotes, delimiters in quotes, NUL removed, both null encodings', async (t) => {
  t.same(parseWhole(SAMPLE), SAMPLE_ROWS);
  parseEverySplit(t, SAMPLE, SAMPLE_ROWS);
});

t.test('CRLF record ends, CRLF inside quotes kept, CR/LF split across chunks, lone CR', async (t) => {
  const text = '"a","b"\r\n"x\r\ny","2"\r\n3,4\r5,6';
  const expected = [['a', 'b'], ['x\r\ny', '2'], ['3', '4'], ['5', '6']];
  t.same(parseWhole(text), expected);
  parseEverySplit(t, text, expected);
  const parser = new CsvRowParser();
  const rows = parser.push('a,b\r');
  parser.push('\nc,d\r\n', rows);
  parser.end(rows);
  t.same(rows, [['a', 'b'], ['c', 'd']], 'a CR at the end of a chunk and its LF at the start of the next are one line end');
});

t.test('edge cases: no final newline, empty fields, empty line, quote at end of input, other delimiter', async (t) => {
  t.same(parseWhole('a,b\n1,'), [['a', 'b'], ['1', '']]);
  t.same(parseWhole('a,b\n,\n'), [['a', 'b'], ['', '']]);
  t.same(parseWhole('a\n\nb\n'), [['a'], [''], ['b']], 'an empty line is one empty field');
  t.same(parseWhole('"a","b"'), [['a', 'b']], 'closing quote at the very end');
  t.same(parseWhole('"a""",b'), [['a"', 'b']]);
  t.same(parseWhole('ab"c,d\n'), [['ab"c', 'd']], 'a quote inside an unquoted field is literal');
  t.same(parseWhole('"a"|"b|c"\n', '|'), [['a', 'b|c']]);
  t.same(parseWhole(''), []);
  t.same(parseWhole('\u0000\u0000'), [], 'only NULs is nothing');
  t.same(parseWhole('"\u0000"'), [['']]);
});

t.test('malformed input is an error naming the row', async (t) => {
  t.throws(() => parseWhole('"a","b"\n"unterminated'), CsvParseError);
  t.throws(() => parseWhole('"a","b"\n"unterminated'), { message: /ended inside a quoted field \(CSV row 2\)/ });
  t.throws(() => parseWhole('"a"x,b\n'), { message: /after a closing quote \(CSV row 1\)/ });
  t.throws(() => new CsvRowParser({ delimiter: '"' }), RangeError);
});

t.test('csvRows: bytes split inside multi-byte characters, streams and iterables', async (t) => {
  const text = '"Name","Note"\n"Müller","日本支社での導入を検討中"\n';
  const bytes = new TextEncoder().encode(text);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3));
  const expected = [['Name', 'Note'], ['Müller', '日本支社での導入を検討中']];
  const fromIterable: string[][] = [];
  for await (const row of csvRows((async function* () { yield* chunks; })())) fromIterable.push(row);
  t.same(fromIterable, expected);
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const fromStream: string[][] = [];
  for await (const row of csvRows(stream)) fromStream.push(row);
  t.same(fromStream, expected);
});

t.test('csvRows pulls the stream lazily and cancels it on early exit', async (t) => {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled += 1;
        controller.enqueue(new TextEncoder().encode(`"row ${pulled}"\n`));
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  let seen = 0;
  for await (const row of csvRows(stream)) {
    seen += 1;
    if (row[0] === 'row 3') break;
  }
  t.equal(seen, 3);
  t.ok(pulled <= 4, `an endless body is read only as far as needed (${pulled} chunks)`);
  t.ok(cancelled, 'the body is cancelled');
});
