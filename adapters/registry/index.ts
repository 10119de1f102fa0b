export { openTarget, type OpenTargetOptions } from './open-target';
export {
  HttpRegistryClient,
  parseChallenge,
  type HttpRegistryOptions,
  type RegistryCredentials,
  type CredentialProvider,
} from './http-registry';
export {
  ecrCredentialProvider,
  parseEcrRegistry,
  type EcrRegistry,
  type EcrCredentialOptions,
} from './ecr-auth';
export { ociLayoutSource } from './oci-layout';
export { dockerArchiveSource } from './docker-archive';
export { directorySource } from './directory';
