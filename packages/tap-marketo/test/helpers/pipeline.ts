/**
 * `tap-marketo ... | target-postgres ...` as real processes joined by a pipe, and the loaded
 * tables compared with what the simulator holds.
 */
import type pg from 'pg';
import type { MarketoSimulator } from '@singer-io-ts/simulators';
import { readTable } from '../../../target-postgres/test/helpers/run-target.js';
import { runPipeline as runTapPipeline, type PipelineResult } from '../../../../test/helpers/pipeline.js';
import { diffRecords, expectedRecords, type Diff } from './compare.js';
import { TAP_BIN } from './marketo.js';

export type { PipelineResult } from '../../../../test/helpers/pipeline.js';

/** Runs `tap-marketo <tapArgs> | target-postgres`; the target's printed states are the state of the next run. */
export function runPipeline(tapArgs: string[], targetConfigFile: string): Promise<PipelineResult> {
  return runTapPipeline(TAP_BIN, tapArgs, targetConfigFile);
}

/** A loaded table against the simulator's rows, column by column (columns are lower-cased names). */
export async function compareTable(client: pg.ClientBase, schema: string, mk: MarketoSimulator, stream: string): Promise<Diff> {
  const rows = await readTable(client, schema, stream);
  return diffRecords(stream, expectedRecords(mk, stream), rows, { lower: true });
}
