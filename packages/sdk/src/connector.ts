import type { Config } from './config.js';
import type { JsonSchema } from './protocol/messages.js';

/** What taps and targets share: identity, config schema, and the environment names of settings. */
/** `C` is the config type of the subclasses. */
export abstract class Connector<C extends Config = Config> {
  abstract readonly name: string;
  abstract readonly version: string;
  readonly description: string = '';
  /** JSON Schema of the config; mark secrets with `secret: true`. */
  abstract readonly configSchema: JsonSchema;
  /** Extra documented environment variables, e.g. `{ SFDC_USERNAME: 'username' }`. */
  readonly envAliases: Record<string, string> = {};

  /** `tap-salesforce` reads `TAP_SALESFORCE_<SETTING>` from the environment. */
  get envPrefix(): string {
    return this.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  }

  capabilities(): string[] {
    return ['about', 'test'];
  }
}
