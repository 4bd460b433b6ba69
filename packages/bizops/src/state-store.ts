import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile } from './json-file.js';

/** One pipeline's Singer state between runs, kept in the data directory. */
export class StateStore {
  constructor(readonly dir: string) {}

  file(pipeline: string): string {
    return path.join(this.dir, `${pipeline}.json`);
  }

  read(pipeline: string): unknown {
    const file = this.file(pipeline);
    if (!existsSync(file)) return undefined;
    return readJsonFile(file, 'state file', `move it away to start ${pipeline} from scratch`);
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
