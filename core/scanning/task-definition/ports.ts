import type { TaskDefinitionEnvironment } from './types';

/**
 * Where task definitions come from (ECS in AWS: adapters/ecs-task-definitions.ts). Errors are the classes
 * of ./errors.ts: TaskDefinitionNotFoundError, TaskDefinitionThrottlingError and
 * TaskDefinitionUnavailableError (retryable), TaskDefinitionRequestError.
 */
export interface TaskDefinitionSource {
  /** One revision, its environment included: by ARN, `family:revision`, or `family` (latest ACTIVE). */
  describe(taskDefinition: string): Promise<TaskDefinitionEnvironment>;
  /** Every family that has at least one ACTIVE revision, paged through. */
  activeFamilies(): AsyncIterable<string>;
  /** The ARN of the family's latest ACTIVE revision, or undefined when it has none (any more). */
  latestActiveRevision(family: string): Promise<string | undefined>;
  /** The ARNs of every ACTIVE revision of the family, newest first, paged through. */
  activeRevisions(family: string): AsyncIterable<string>;
}
