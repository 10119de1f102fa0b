export {
  startSecretsManagerEmulator,
  type SecretsManagerEmulator,
  type SecretsManagerEmulatorOptions,
} from './emulator';
export {
  ROTATION_STEPS,
  RotationRunner,
  type RotationEvent,
  type RotationHandler,
  type RotationRun,
  type RotationStep,
} from './rotation';
export { SecretsStore, AWSCURRENT, AWSPENDING, AWSPREVIOUS, type SecretValue, type Tag } from './store';
export { generateRandomPassword, PASSWORD_CHARACTER_CLASSES, type PasswordOptions } from './password';
export { newSecretArn, secretArnPrefix, type ArnScope } from './arn';
