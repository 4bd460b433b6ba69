/**
 * Zuora's describe XML (`/v1/describe`, `/v1/describe/{Object}`) read with a few regular
 * expressions: the documents are flat and machine-written, and the tap may not add an XML
 * dependency. Only what discovery needs is kept.
 */
import type { ZuoraClient } from './client.js';

export interface ZuoraField {
  name: string;
  label: string;
  type: string;
  required: boolean;
  /** `export` among the contexts: the export APIs can select it (no contexts listed: assumed). */
  exportable: boolean;
  options: string[];
}

export interface ZuoraObject {
  name: string;
  label: string;
  fields: ZuoraField[];
  /** Related objects (`BillToContact`, `Account`): joined as `<Related>.Id`. */
  related: string[];
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-f]+);/gi, (_, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity.toLowerCase()] ?? '';
  });
}

function elements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

function textOf(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? unescapeXml((m[1] ?? '').trim()) : undefined;
}

/** Object names of `GET /v1/describe`. */
export function parseObjectList(xml: string): string[] {
  return elements(xml, 'object')
    .map((inner) => textOf(inner, 'name'))
    .filter((name): name is string => name !== undefined && name !== '');
}

/** `requested`: the object asked for, named when the document is not one. */
export function parseObject(xml: string, requested?: string): ZuoraObject {
  const fieldsXml = textOfRaw(xml, 'fields') ?? '';
  const relatedXml = textOfRaw(xml, 'related-objects') ?? '';
  // The object's own name and label precede its fields (related objects have names too).
  const head = xml.slice(0, Math.max(0, xml.indexOf('<fields')));
  const name = textOf(head, 'name');
  if (!name) throw new Error(`describe XML${requested ? ` of ${requested}` : ''} without an object name: ${xml.slice(0, 200)}`);
  const fields = elements(fieldsXml, 'field').map((inner): ZuoraField => {
    const contexts = elements(inner, 'context').map((c) => unescapeXml(c.trim()));
    return {
      name: textOf(inner, 'name') ?? '',
      label: textOf(inner, 'label') ?? '',
      type: (textOf(inner, 'type') ?? 'text').toLowerCase(),
      required: (textOf(inner, 'required') ?? 'false').toLowerCase() === 'true',
      exportable: contexts.length === 0 || contexts.includes('export'),
      options: elements(inner, 'option').map((o) => unescapeXml(o.trim())),
    };
  });
  const related = elements(relatedXml, 'object')
    .map((inner) => textOf(inner, 'name'))
    .filter((n): n is string => n !== undefined && n !== '');
  return { name, label: textOf(head, 'label') ?? name, fields: fields.filter((f) => f.name !== ''), related };
}

function textOfRaw(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*)</${tag}>`).exec(xml);
  return m?.[1];
}

export async function describeList(client: ZuoraClient): Promise<string[]> {
  return parseObjectList(await client.text('/v1/describe', { endpoint: 'describe.list' }));
}

export async function describeObject(client: ZuoraClient, name: string): Promise<ZuoraObject> {
  return parseObject(await client.text(`/v1/describe/${encodeURIComponent(name)}`, { endpoint: 'describe.object' }), name);
}
