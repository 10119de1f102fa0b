export { startKmsStandIn, type KmsStandIn, type KmsStandInOptions } from './stand-in';
export type { KeySpec, KeyUsage, SigningAlgorithm, EncryptionAlgorithm } from './specs';
