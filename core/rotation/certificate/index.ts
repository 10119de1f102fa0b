export * from './errors';
export type { Signer, SignerAlgorithm } from './signer';
export { signerHash } from './signer';
export { signerCrypto, type SignerCrypto } from './signer-crypto';
export {
  createRootCaCertificate,
  createIntermediateCsr,
  signIntermediateCsr,
  loadCertificateAuthority,
  assertCurrentlyValid,
  splitPem,
  type CertificateAuthority,
  type RootCaOptions,
} from './authority';
export { issueCertificate, generateLeafKey, type CertificateRequest, type IssueOptions } from './issue';
export {
  parseCertificateProfile,
  CertificateProfileSchema,
  type CertificateProfile,
  type LeafKeySpec,
} from './profile';
export {
  parseCertificateSecret,
  buildCertificateSecret,
  certificateSecretFrom,
  subjectAltNamesOf,
  type CertificateSecret,
} from './secret-format';
export { randomSerialNumber } from './serial';
export {
  validateDnsName,
  validateIpAddress,
  validateSubjectAltNames,
  formatSubjectAltNames,
  type SubjectAltNames,
} from './subject-alt-names';
export { verifyCertificateSecret, type VerifyCertificateOptions, type CertificateCheck } from './verify';
export { renewalDue, jitterFraction, type RenewalDecision, type RenewalOptions } from './renewal';
export { createLeafCsr, type LeafCsr } from './leaf-csr';
export {
  createCaRecord,
  parseCaRecord,
  buildCaRecord,
  caRecordTrustAnchor,
  type CaRecord,
} from './ca-record';
export {
  certificateRotator,
  certificateRotatorFor,
  certificateRenewalDue,
  CERTIFICATE_KIND,
} from './rotator';
export type {
  CertificateRotatorPorts,
  AcmImportPort,
  PcaIssuerPort,
  HandshakePort,
  HandshakeResult,
} from './rotator-ports';
export {
  parseCertificateRotationSecret,
  serializeCertificateRotationSecret,
  issuerReference,
  type CertificateRotationSecret,
  type IssuerReference,
} from './rotation-secret';
export { asRotationError } from './rotation-errors';
