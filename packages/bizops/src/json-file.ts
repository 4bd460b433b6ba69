/** The JSON files bizops keeps for itself: the pipelines' state, the demo's clock, the embedded Postgres's credentials. */
import { readFileSync } from 'node:fs';

/**
 * The parsed file; an error names the file, the cause and `wayOut`. Only the position of a syntax
 * error is kept: the parser's message quotes the text, and the credentials file holds a password.
 */
export function readJsonFile(file: string, what: string, wayOut: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${what} ${file} cannot be read (${(err as Error).message}); ${wayOut}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position ? ` (at character ${position})` : /end of JSON input/.test(message) ? ' (it ends too early)' : '';
    throw new Error(`${what} ${file} is not valid JSON${where}; ${wayOut}`);
  }
}
