import type { Finding } from '../types';

/** One `environment` entry of a container definition: a plaintext variable. */
export interface EnvironmentVariable {
  readonly name: string;
  readonly value: string;
}

/** An `environmentFiles` entry: an S3 object of variables that ECS loads at start (not read by the scan). */
export interface EnvironmentFileRef {
  /** The S3 object ARN. */
  readonly value: string;
  /** `s3` (the only type ECS supports). */
  readonly type: string;
}

/** What the scan reads of a container definition. */
export interface ContainerEnvironment {
  readonly name: string;
  readonly environment: readonly EnvironmentVariable[];
  readonly environmentFiles: readonly EnvironmentFileRef[];
  /** `logConfiguration.options` (Splunk tokens, FireLens API keys hide here; they belong in `secretOptions`). @default [] */
  readonly logOptions?: readonly EnvironmentVariable[];
  /** `dockerLabels`. @default [] */
  readonly dockerLabels?: readonly EnvironmentVariable[];
  /** `command`, as ECS passes it. @default [] */
  readonly command?: readonly string[];
  /** `entryPoint`. @default [] */
  readonly entryPoint?: readonly string[];
}

/** The container definition field a finding is in. */
export type TaskDefinitionField =
  'environment' | 'logConfiguration.options' | 'dockerLabels' | 'command' | 'entryPoint';

/** What the scan reads of a task definition revision: identity and each container's environment. */
export interface TaskDefinitionEnvironment {
  /** `arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>`. */
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  /** `ACTIVE`, `INACTIVE` or `DELETE_IN_PROGRESS`, when known. */
  readonly status?: string;
  readonly containers: readonly ContainerEnvironment[];
}

/** Where a task definition finding is: the revision, the container and the variable. */
export interface TaskDefinitionRef {
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly container: string;
  /** The field: `environment` unless said otherwise. */
  readonly field: TaskDefinitionField;
  /** The variable (environment), option or label key; `command` or `entryPoint` for those. */
  readonly variable: string;
}

/**
 * A secret in a task definition's plaintext environment: a scanner Finding (location `target` =
 * `ecs-task-definition:<family>:<revision>`, `path` = `<container>/<VAR>` for the environment and
 * `<container>/<field>/<key>` (`<container>/command`) for the other fields, line 0, column in `VAR=value`)
 * plus the revision, container and variable it was found in and the remedy. Holds no value: the excerpt
 * is censored and the fingerprint is keyed by rule and value only, so the same secret in the next revision
 * has the same fingerprint.
 */
export interface TaskDefinitionFinding extends Finding {
  readonly taskDefinition: TaskDefinitionRef;
  /** How to move the variable to a `secrets` reference, for people. */
  readonly remedy: string;
}

/** Something the scan saw but did not read: an `environmentFiles` object in S3. */
export interface TaskDefinitionNote {
  readonly kind: 'environment-file-not-scanned';
  readonly container: string;
  /** The S3 object ARN (an address, not content). */
  readonly ref: string;
}

/** The scan of one revision. */
export interface TaskDefinitionScan {
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly variables: number;
  readonly findings: readonly TaskDefinitionFinding[];
  readonly notes: readonly TaskDefinitionNote[];
}
