import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One pipeline's Singer state between runs, kept in the data directory. */
export class StateStore {
  constructor(readonly dir: string) {}

  file(pipeline: string): string {
    return path.join(this.dir, `${pipeline}.json`);
  }

  read(pipeline: string): unknown {
    const file = this.file(pipeline);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`state file ${file} is not valid JSON (${(err as Error).message}); move it away to start ${pipeline} from scratch`, { cause: err });
    }
  }

  /** Write-then-rename, so a crash leaves either the old state or the new one, never half of either. */
  write(pipeline: string, state: unknown): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.file(pipeline);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
    renameSync(tmp, file);
  }
}
