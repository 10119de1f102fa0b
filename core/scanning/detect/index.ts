/** The detector's public API: bytes and texts in, censored findings out. */
export { createDetector, type DetectorOptions } from './detector';
export { DEFAULT_FINGERPRINT_KEY, findingFingerprint } from './fingerprint';
export { redactSecret, excerptAround } from './redact';
export { looksBinary } from './binary';
export { KeywordPrefilter } from './prefilter';
export { MANAGED_RULE_ID } from './window-scanner';
export { InvalidDetectorConfigError } from './errors';
export * as limits from './limits';
export { BUILTIN_RULES, parseUserRules, type Rule, type RuleKind } from '../rules';
export {
  ManagedSecretIndex,
  fingerprintManagedValue,
  type ManagedSecretRecord,
  type ManagedStage,
} from '../managed';
