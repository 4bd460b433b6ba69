/** Names, e-mail addresses, companies and places of people; the same in all three systems. */
import { FIRST_NAMES, INDUSTRIES, LAST_NAMES, TITLES, companyName, place } from './text.js';
import type { CompanyName, Place } from './text.js';
import { hash, tag } from './rng.js';
import type { World } from './world.js';

const T = { name: tag('name'), co: tag('company'), place: tag('place'), misc: tag('misc') };

export interface Persona {
  first: string;
  last: string;
  email: string;
  title: string;
  phone: string;
  mobile: string | null;
  company: CompanyName;
  place: Place;
  industry: string;
  employees: number;
  revenue: number;
}

/** Person (d, i); `j` > 0 is a further contact at the same company (Salesforce only). */
export function persona(w: World, d: number, i: number, j = 0): Persona {
  const hn = hash(w.seed, T.name, d, i, j);
  const first = FIRST_NAMES[hn % FIRST_NAMES.length]!;
  const last = LAST_NAMES[(hn >>> 8) % LAST_NAMES.length]!;
  const company = companyName(hash(w.seed, T.co, d, i));
  const hm = hash(w.seed, T.misc, d, i, j);
  const employees = [12, 45, 120, 350, 800, 2500, 12000][hm % 7]!;
  const localPart = `${first[1]}.${last[1]}${(hm >>> 20) % 7 === 0 ? (hm >>> 8) % 100 : ''}`;
  return {
    first: first[0],
    last: last[0],
    email: `${localPart}@${company.domain}`,
    title: TITLES[(hm >>> 4) % TITLES.length]!,
    phone: `+1 (${200 + ((hm >>> 3) % 700)}) 555-${String(1000 + ((hm >>> 11) % 9000))}`,
    mobile: (hm >>> 5) % 3 === 0 ? `+44 7700 ${String(900000 + ((hm >>> 9) % 99999))}` : null,
    company,
    place: place(hash(w.seed, T.place, d, i)),
    industry: INDUSTRIES[(hm >>> 13) % INDUSTRIES.length]!,
    employees,
    revenue: employees * (80_000 + ((hm >>> 17) % 120) * 1000),
  };
}
