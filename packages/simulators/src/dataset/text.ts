/** Vocabulary for names, companies and free text (with the characters real exports contain). */
import { Rng } from './rng.js';

/** [display, ascii for e-mail addresses] */
export const FIRST_NAMES: readonly (readonly [string, string])[] = [
  ['Anna', 'anna'], ['Ben', 'ben'], ['Carla', 'carla'], ['David', 'david'], ['Emma', 'emma'], ['Felix', 'felix'],
  ['Grace', 'grace'], ['Hugo', 'hugo'], ['Isabel', 'isabel'], ['Jack', 'jack'], ['Kira', 'kira'], ['Liam', 'liam'],
  ['Maya', 'maya'], ['Noah', 'noah'], ['Olivia', 'olivia'], ['Paul', 'paul'], ['Quinn', 'quinn'], ['Rosa', 'rosa'],
  ['Sam', 'sam'], ['Tara', 'tara'], ['Umar', 'umar'], ['Vera', 'vera'], ['Will', 'will'], ['Yara', 'yara'],
  ['José', 'jose'], ['Zoë', 'zoe'], ['Jürgen', 'juergen'], ['François', 'francois'], ['Søren', 'soren'],
  ['Łukasz', 'lukasz'], ['Renée', 'renee'], ['Ingrid', 'ingrid'], ['Priya', 'priya'], ['Wei', 'wei'],
  ['Haruto', 'haruto'], ['Yuki', 'yuki'], ['Aiko', 'aiko'], ['Mateo', 'mateo'], ['Chloé', 'chloe'], ['Nils', 'nils'],
  ['Fatima', 'fatima'], ['Omar', 'omar'], ['Elena', 'elena'], ['Marco', 'marco'], ['Sofia', 'sofia'], ['Lars', 'lars'],
];

export const LAST_NAMES: readonly (readonly [string, string])[] = [
  ['Smith', 'smith'], ['Johnson', 'johnson'], ['Brown', 'brown'], ['Garcia', 'garcia'], ['Miller', 'miller'],
  ['Davis', 'davis'], ['Martinez', 'martinez'], ['Lee', 'lee'], ['Walker', 'walker'], ['Young', 'young'],
  ['King', 'king'], ['Wright', 'wright'], ['Müller', 'mueller'], ['Schäfer', 'schaefer'], ['Núñez', 'nunez'],
  ['Dubois', 'dubois'], ['Rossi', 'rossi'], ['Nowak', 'nowak'], ['Jensen', 'jensen'], ['O\'Brien', 'obrien'],
  ['Tanaka', 'tanaka'], ['Suzuki', 'suzuki'], ['山田', 'yamada'], ['佐藤', 'sato'], ['Chen', 'chen'], ['Wang', 'wang'],
  ['Kumar', 'kumar'], ['Singh', 'singh'], ['Ivanova', 'ivanova'], ['Kowalski', 'kowalski'], ['Lindqvist', 'lindqvist'],
  ['Fernández', 'fernandez'], ['van der Berg', 'vanderberg'], ['Costa', 'costa'], ['Haddad', 'haddad'], ['Okafor', 'okafor'],
];

const CO_HEAD: readonly (readonly [string, string])[] = [
  ['Acme', 'acme'], ['Globex', 'globex'], ['Initech', 'initech'], ['Umbrella', 'umbrella'], ['Stark', 'stark'],
  ['Wayne', 'wayne'], ['Nordwind', 'nordwind'], ['Bluefin', 'bluefin'], ['Cedar', 'cedar'], ['Helix', 'helix'],
  ['Quantum', 'quantum'], ['Vertex', 'vertex'], ['Aurora', 'aurora'], ['Summit', 'summit'], ['Pioneer', 'pioneer'],
  ['Müller', 'mueller'], ['Zürich', 'zurich'], ['Kōbe', 'kobe'], ['東京', 'tokyo'], ['Öresund', 'oresund'],
  ['Lumen', 'lumen'], ['Granite', 'granite'], ['Orbit', 'orbit'], ['Harbor', 'harbor'], ['Falcon', 'falcon'],
  ['Maple', 'maple'], ['Sierra', 'sierra'], ['Atlas', 'atlas'], ['Nimbus', 'nimbus'], ['Polaris', 'polaris'],
];
const CO_TAIL: readonly (readonly [string, string])[] = [
  ['Analytics', 'analytics'], ['Systems', 'systems'], ['Logistics', 'logistics'], ['Health', 'health'],
  ['Robotics', 'robotics'], ['Labs', 'labs'], ['Software', 'software'], ['Networks', 'networks'], ['Energy', 'energy'],
  ['Financial', 'financial'], ['Media', 'media'], ['Retail', 'retail'], ['Bio', 'bio'], ['Cloud', 'cloud'],
  ['Foods', 'foods'], ['Motors', 'motors'], ['Data', 'data'], ['Security', 'security'],
];
const CO_FORM = ['Inc.', 'LLC', 'GmbH', 'Ltd', 'S.A.', 'K.K.', 'AB', 'Corp.', 'Group', 'plc', 'B.V.', ''] as const;
const TLD = ['com', 'io', 'de', 'co.uk', 'fr', 'jp', 'se', 'net', 'ai'] as const;

export interface CompanyName {
  name: string;
  domain: string;
}

export function companyName(h: number): CompanyName {
  const r = new Rng(h);
  const head = r.pick(CO_HEAD);
  const tail = r.pick(CO_TAIL);
  const form = r.pick(CO_FORM);
  const n = r.int(0, 99);
  const name = `${head[0]} ${tail[0]}${form ? ' ' + form : ''}`;
  return { name: n < 8 ? `${name} (${['EMEA', 'APAC', 'NA', 'LATAM'][n % 4]})` : name, domain: `${head[1]}${tail[1]}${n}.${r.pick(TLD)}` };
}

export interface Place {
  street: string;
  city: string;
  state: string | null;
  postalCode: string;
  country: string;
  countryCode: string;
  lat: number;
  lon: number;
  region: 'NA' | 'EMEA' | 'APAC' | 'LATAM';
}

const PLACES: readonly Omit<Place, 'street' | 'postalCode'>[] = [
  { city: 'San Francisco', state: 'CA', country: 'United States', countryCode: 'US', lat: 37.7749, lon: -122.4194, region: 'NA' },
  { city: 'New York', state: 'NY', country: 'United States', countryCode: 'US', lat: 40.7128, lon: -74.006, region: 'NA' },
  { city: 'Austin', state: 'TX', country: 'United States', countryCode: 'US', lat: 30.2672, lon: -97.7431, region: 'NA' },
  { city: 'Chicago', state: 'IL', country: 'United States', countryCode: 'US', lat: 41.8781, lon: -87.6298, region: 'NA' },
  { city: 'Toronto', state: 'ON', country: 'Canada', countryCode: 'CA', lat: 43.6532, lon: -79.3832, region: 'NA' },
  { city: 'London', state: null, country: 'United Kingdom', countryCode: 'GB', lat: 51.5074, lon: -0.1278, region: 'EMEA' },
  { city: 'München', state: 'BY', country: 'Germany', countryCode: 'DE', lat: 48.1351, lon: 11.582, region: 'EMEA' },
  { city: 'Zürich', state: 'ZH', country: 'Switzerland', countryCode: 'CH', lat: 47.3769, lon: 8.5417, region: 'EMEA' },
  { city: 'Paris', state: null, country: 'France', countryCode: 'FR', lat: 48.8566, lon: 2.3522, region: 'EMEA' },
  { city: 'Malmö', state: null, country: 'Sweden', countryCode: 'SE', lat: 55.605, lon: 13.0038, region: 'EMEA' },
  { city: 'Amsterdam', state: null, country: 'Netherlands', countryCode: 'NL', lat: 52.3676, lon: 4.9041, region: 'EMEA' },
  { city: '東京', state: 'Tokyo', country: 'Japan', countryCode: 'JP', lat: 35.6762, lon: 139.6503, region: 'APAC' },
  { city: 'Sydney', state: 'NSW', country: 'Australia', countryCode: 'AU', lat: -33.8688, lon: 151.2093, region: 'APAC' },
  { city: 'Singapore', state: null, country: 'Singapore', countryCode: 'SG', lat: 1.3521, lon: 103.8198, region: 'APAC' },
  { city: 'Bengaluru', state: 'KA', country: 'India', countryCode: 'IN', lat: 12.9716, lon: 77.5946, region: 'APAC' },
  { city: 'São Paulo', state: 'SP', country: 'Brazil', countryCode: 'BR', lat: -23.5505, lon: -46.6333, region: 'LATAM' },
  { city: 'Ciudad de México', state: 'CDMX', country: 'Mexico', countryCode: 'MX', lat: 19.4326, lon: -99.1332, region: 'LATAM' },
];
const STREETS = ['Market St', 'Main Street', 'Königstraße', 'Rue de Rivoli', 'High Street', 'Bahnhofstrasse', 'Avenida Paulista', 'Shibuya 2-chōme', 'King St W', 'Drottninggatan'];

export function place(h: number): Place {
  const r = new Rng(h);
  const p = r.pick(PLACES);
  const num = r.int(1, 2400);
  const street = r.chance(0.3) ? `${num} ${r.pick(STREETS)}\nSuite ${r.int(100, 950)}` : `${num} ${r.pick(STREETS)}`;
  return {
    city: p.city,
    state: p.state,
    country: p.country,
    countryCode: p.countryCode,
    region: p.region,
    street,
    postalCode: String(r.int(10000, 99999)),
    lat: Math.round((p.lat + (r.next() - 0.5) * 0.1) * 1e6) / 1e6,
    lon: Math.round((p.lon + (r.next() - 0.5) * 0.1) * 1e6) / 1e6,
  };
}

export const INDUSTRIES = ['Technology', 'Finance', 'Healthcare', 'Manufacturing', 'Retail', 'Education', 'Media', 'Energy', 'Government', 'Telecommunications'] as const;
export const TITLES = ['VP Engineering', 'Director of IT', 'CTO', 'Head of Data', 'Engineering Manager', 'DevOps Lead', 'CIO', 'Software Architect', 'Marketing Ops Manager', 'Procurement Specialist', 'Data Analyst', 'Platform Engineer'] as const;

const PHRASES = [
  'Evaluating the platform for the "Q3 roll-out", budget approved',
  'Met at the booth; wants a follow-up, pricing for 200 seats',
  'Uses a competitor today, contract ends in March',
  'Referred by partner — needs SSO, audit logs, and EU hosting',
  'Champion moved teams; new contact is the CIO',
  'Asked about "on-prem" option, said: "we can\'t use SaaS yet"',
  'Renewal risk: low usage, 3 of 10 teams active',
  'Interested in the Ultimate tier, trial extended to 30 days',
  'Übernahme durch Müller Holding geplant, Entscheidung im Herbst',
  '日本支社での導入を検討中',
];

/** Free text with newlines, quotes, commas and non-ASCII; `nulChance` adds a NUL byte now and then. */
export function freeText(h: number, nulChance = 0): string {
  const r = new Rng(h);
  const n = r.int(1, 3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(r.pick(PHRASES));
  let s = parts.join(r.chance(0.5) ? '\n' : ', ');
  if (r.chance(nulChance)) s = s.slice(0, 10) + '\u0000' + s.slice(10);
  return s;
}
