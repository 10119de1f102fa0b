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
export { InvalidManagedRecordError } from './errors';
