import { CLOUD_RULES } from './catalog/cloud';
import { CONNECTION_CONFIG_RULES } from './catalog/connection-config';
import { GENERIC_RULES } from './catalog/generic';
import { KEY_TOKEN_RULES } from './catalog/keys-tokens';
import { SAAS_MORE_RULES } from './catalog/saas-more';
import { SERVICE_RULES } from './catalog/services';
import { VCS_CI_RULES } from './catalog/vcs-ci';
import type { Rule } from './rule';

/** Every rule Rotor ships, most specific first (order breaks ties between overlapping matches). */
export const BUILTIN_RULES: readonly Rule[] = Object.freeze([
  ...CLOUD_RULES,
  ...VCS_CI_RULES,
  ...SERVICE_RULES,
  ...SAAS_MORE_RULES,
  ...KEY_TOKEN_RULES,
  ...CONNECTION_CONFIG_RULES,
  ...GENERIC_RULES,
]);
