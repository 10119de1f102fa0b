/** Managed secrets: records rotation stores (HMACs, never values) and the index the detector matches them with. */
export { ManagedSecretIndex, type ManagedMatch } from './managed-index';
export {
  fingerprintManagedValue,
  managedValueHmac,
  normaliseAlphabet,
  MIN_MANAGED_LENGTH,
  type ManagedSecretRecord,
  type ManagedStage,
} from './record';
export {
  InvalidManagedRecordError,
  InvalidFingerprintKeyError,
  FingerprintStoreUnavailableError,
  FingerprintStoreRequestError,
  InvalidFingerprintRequestError,
} from './errors';
export {
  passwordAlphabet,
  classAlphabet,
  BASE64,
  PUNCTUATION,
  type PasswordAlphabetSettings,
} from './alphabets';
export {
  fingerprintableValues,
  managedKindOf,
  type FingerprintableValue,
  type ManagedKind,
  type SecretValueOptions,
  type SkippedValue,
} from './secret-values';
export { deriveScanKeys, MIN_KEY_SECRET_LENGTH, type ScanKeys } from './keys';
export {
  recordsOf,
  type FingerprintSet,
  type ManagedFingerprintStore,
  type StoredRecord,
  type StoredStage,
} from './ports';
export {
  updateFingerprints,
  recipeOf,
  MANAGED_STAGES,
  type UpdateFingerprintsDeps,
  type UpdateFingerprintsResult,
} from './update';
export { withFingerprintSet, fingerprintSetOf } from './cache-version';
export { RefreshingValue, type Versioned, type RefreshingOptions } from './refreshing';
