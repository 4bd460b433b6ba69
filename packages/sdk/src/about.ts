import { envVarName, withSdkSettings, type ConfigSpec } from './config.js';
import type { JsonSchema } from './protocol/messages.js';

export interface AboutInfo {
  name: string;
  version: string;
  description: string;
  capabilities: string[];
  settings: SettingInfo[];
}

export interface SettingInfo {
  name: string;
  type: string;
  description?: string;
  required: boolean;
  secret: boolean;
  default?: unknown;
  env: string[];
}

export function aboutInfo(identity: { name: string; version: string; description: string; capabilities: string[] }, spec: ConfigSpec): AboutInfo {
  const schema = withSdkSettings(spec.schema, spec.sdkSettings);
  const required = new Set(schema.required ?? []);
  const aliasesByKey = new Map<string, string[]>();
  for (const [alias, key] of Object.entries(spec.envAliases ?? {})) aliasesByKey.set(key, [...(aliasesByKey.get(key) ?? []), alias]);
  const settings = Object.entries(schema.properties ?? {}).map(([name, property]): SettingInfo => ({
    name,
    type: typeName(property),
    ...(property.description ? { description: property.description } : {}),
    required: required.has(name),
    secret: property.secret === true,
    ...(property.default !== undefined && property.secret !== true ? { default: property.default } : {}),
    env: [envVarName(spec.envPrefix, name), ...(aliasesByKey.get(name) ?? [])],
  }));
  return { ...identity, settings };
}

function typeName(property: JsonSchema): string {
  const types = [property.type ?? (property.enum ? 'enum' : 'any')].flat().filter((t) => t !== 'null');
  const format = property.format ? ` (${property.format})` : '';
  const choices = property.enum ? `: ${property.enum.map((v) => JSON.stringify(v)).join(' | ')}` : '';
  return `${types.join(' | ')}${format}${choices}`;
}

export function formatAbout(info: AboutInfo, format: 'json' | 'markdown' | 'text'): string {
  if (format === 'json') return JSON.stringify(info, null, 2);
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  if (format === 'markdown') {
    const rows = info.settings.map(
      (s) => `| \`${s.name}\` | ${escape(s.type)} | ${s.required ? 'yes' : ''} | ${s.secret ? 'yes' : ''} | ${s.default === undefined ? '' : `\`${escape(JSON.stringify(s.default))}\``} | ${s.env.map((e) => `\`${e}\``).join(', ')} | ${escape(s.description ?? '')} |`,
    );
    return [
      `# ${info.name} ${info.version}`,
      '',
      info.description,
      '',
      `Capabilities: ${info.capabilities.map((c) => `\`${c}\``).join(', ')}`,
      '',
      '## Settings',
      '',
      '| Setting | Type | Required | Secret | Default | Environment | Description |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n');
  }
  const lines = [`${info.name} ${info.version}`, info.description, `capabilities: ${info.capabilities.join(', ')}`, 'settings:'];
  for (const s of info.settings) {
    const flags = [s.required ? 'required' : '', s.secret ? 'secret' : ''].filter(Boolean).join(', ');
    lines.push(`  ${s.name} (${s.type}${flags ? `; ${flags}` : ''}) [env ${s.env.join(', ')}]${s.description ? ` ${s.description}` : ''}`);
  }
  return lines.join('\n');
}
