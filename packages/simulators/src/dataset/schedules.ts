/** Touch schedules shared by Salesforce and Marketo: program memberships, sales tasks. */
import type { Channel, Program } from './catalog.js';
import { rec } from './derive.js';
import type { Rec } from './engine.js';
import { pack, unpack } from './ids.js';
import { tag, unit, hash } from './rng.js';
import type { Millis } from './types.js';
import type { World } from './world.js';

/** Days after creation at which a person may join a program (0 = the acquisition program). */
export const MEM = [0, 3, 10, 25, 50, 80] as const;
/** Day offsets of a membership's later versions (progress, success or removal). */
export const MEM_STEPS = [1, 7] as const;
/** Days after creation at which a sales rep may log a task. */
export const TASK_LAGS = [0, 1, 2, 4, 7, 10, 14, 21, 30, 45, 60] as const;

const T = { mem: tag('member'), memv: tag('member-v'), task: tag('task'), taskv: tag('task-v') };

export interface Membership {
  d: number;
  i: number;
  l: number;
  program: Program;
  created: Millis;
  progressAt: Millis | null;
  successAt: Millis | null;
  removedAt: Millis | null;
}

/** Membership l of person (d, i), or null. Works for every person (Marketo); Salesforce keeps the synced ones. */
export function membership(w: World, d: number, i: number, l: number): Membership | null {
  let program: Program;
  let created: Millis;
  if (l === 0) {
    program = w.program(d, i);
    created = w.created(d, i);
  } else {
    if (unit(w.seed, T.mem, d, i, l) >= 0.3) return null;
    const ps = w.programsOn(d + MEM[l]!);
    if (ps.length === 0) return null;
    program = ps[hash(w.seed, T.mem + 1, d, i, l) % ps.length]!;
    if (program.id === w.program(d, i).id) return null;
    created = w.at(d + MEM[l]!, 7, d, i, l);
  }
  const del = w.deletedAt(d, i);
  if (del !== null && del <= created) return null;
  const u = unit(w.seed, T.memv, d, i, l);
  const day = d + MEM[l]!;
  return {
    d,
    i,
    l,
    program,
    created,
    progressAt: u < 0.6 ? w.at(day + MEM_STEPS[0], 10, d, i, l) : null,
    successAt: u < 0.35 ? w.at(day + MEM_STEPS[1], 11, d, i, l) : null,
    removedAt: l > 0 && u > 0.985 ? w.at(day + MEM_STEPS[1], 11, d, i, l) : null,
  };
}

interface StatusSet {
  s0: string;
  s1: string;
  s2: string;
  /** Whether status 0 already counts as a response. */
  r0: boolean;
}

const STATUS: Record<Channel, StatusSet> = {
  Webinar: { s0: 'Invited', s1: 'Registered', s2: 'Attended', r0: false },
  Tradeshow: { s0: 'Visited Booth', s1: 'Visited Booth', s2: 'Meeting Held', r0: true },
  'Online Advertising': { s0: 'Clicked', s1: 'Engaged', s2: 'Converted', r0: true },
  'Content Syndication': { s0: 'Downloaded', s1: 'Engaged', s2: 'Sales Accepted', r0: true },
  'Email Nurture': { s0: 'Member', s1: 'Engaged', s2: 'Influenced', r0: false },
  Website: { s0: 'Filled Out Form', s1: 'Engaged', s2: 'Sales Accepted', r0: true },
};

export const MEMBER_STATUSES = [...new Set(Object.values(STATUS).flatMap((s) => [s.s0, s.s1, s.s2]))];

export interface MemberState {
  status: string;
  responded: boolean;
  firstResponded: Millis | null;
  success: boolean;
}

export function memberState(m: Membership, t: Millis): MemberState {
  const s = STATUS[m.program.channel];
  const p = m.progressAt !== null && m.progressAt <= t;
  const w = m.successAt !== null && m.successAt <= t;
  const status = w ? s.s2 : p ? s.s1 : s.s0;
  const responded = s.r0 || p || w;
  const firstResponded = s.r0 ? m.created : p ? m.progressAt : w ? m.successAt : null;
  return { status, responded, firstResponded: responded ? firstResponded : null, success: w };
}

export interface TaskPlan {
  d: number;
  i: number;
  l: number;
  created: Millis;
  completedAt: Millis | null;
  deletedAt: Millis | null;
  kind: number;
}

export function task(w: World, d: number, i: number, l: number): TaskPlan | null {
  if (unit(w.seed, T.task, d, i, l) >= 0.21 || !w.sf(d, i)) return null;
  const day = d + TASK_LAGS[l]!;
  const created = w.at(day, 8, d, i, l);
  const del = w.deletedAt(d, i);
  if (del !== null && del <= created) return null;
  const h = hash(w.seed, T.taskv, d, i, l);
  const open = h % 10 < 4;
  return {
    d,
    i,
    l,
    created,
    completedAt: open && (h >>> 4) % 3 !== 0 ? w.at(day + 1, 12, d, i, l) : null,
    deletedAt: (h >>> 8) % 100 < 3 ? w.at(day + 10, 13, d, i, l) : null,
    kind: (h >>> 12) % 4,
  };
}

/** Whose memberships a table holds: Marketo all people's, Salesforce only those synced to Salesforce. */
type Members = (w: World, d: number, i: number) => boolean;
const everyone: Members = () => true;

function membershipRec(c: number, m: Membership): Rec<Membership> {
  return rec(c, m.created, [m.progressAt, m.successAt], m.removedAt, m);
}

/** Memberships created on `day` (each person's l-th membership comes MEM[l] days after the person). */
export function membershipsOn(w: World, day: number, members: Members = everyone): Rec<Membership>[] {
  const out: Rec<Membership>[] = [];
  for (let l = 0; l < MEM.length; l++) {
    const d = day - MEM[l]!;
    if (d < 0) break;
    const n = w.count(d);
    for (let i = 0; i < n; i++) {
      if (!members(w, d, i)) continue;
      const m = membership(w, d, i, l);
      if (m) out.push(membershipRec(pack(day, l, i, 0), m));
    }
  }
  return out;
}

/** The membership a packed counter names, regenerated without a scan. */
export function membershipAt(w: World, c: number, members: Members = everyone): Rec<Membership> | undefined {
  const u = unpack(c);
  const d = u.day - (MEM[u.a] ?? Infinity);
  if (!(d >= 0) || u.j !== 0 || u.seq >= w.count(d) || !members(w, d, u.seq)) return undefined;
  const m = membership(w, d, u.seq, u.a);
  return m ? membershipRec(c, m) : undefined;
}
