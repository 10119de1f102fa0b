export * from './ports';
export * from './errors';
export {
  parseSecretArn,
  parseValueFrom,
  referencesSecret,
  locationOfArn,
  type SecretIdentity,
  type ParsedSecretArn,
  type ParsedValueFrom,
  type TaskLocation,
} from './secret-reference';
export {
  findConsumers,
  currentTaskDefinition,
  referencesIn,
  type ConsumerReference,
  type DeclaredConsumer,
  type FindConsumersOptions,
  type SecretConsumer,
} from './discover';
export {
  startDeployments,
  checkDeployments,
  type CheckDeploymentsOptions,
  type ConsumerDeployment,
  type FailedConsumer,
  type MovedConsumer,
  type RefreshTarget,
  type StartDeploymentsOptions,
} from './deployments';
export { refreshConsumers, type RefreshOptions, type RefreshResult } from './refresh';
export { clusterName, serviceName, serviceKey } from './ecs-names';
