import { InvalidTaskDefinitionError } from './errors';
import type {
  ContainerEnvironment,
  EnvironmentFileRef,
  EnvironmentVariable,
  TaskDefinitionEnvironment,
} from './types';

const ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:task-definition\/([A-Za-z0-9_-]{1,255}):(\d+)$/;
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;

/** `family` and `revision` of a task definition ARN, or undefined when it is not one. */
export function parseTaskDefinitionArn(arn: string): { family: string; revision: number } | undefined {
  const match = ARN.exec(arn);
  return match ? { family: match[1]!, revision: Number(match[2]) } : undefined;
}

/** Whether a text is a task definition ARN. */
export function isTaskDefinitionArn(text: string): boolean {
  return ARN.test(text);
}

/** Whether a text is a task definition family name. */
export function isFamilyName(text: string): boolean {
  return FAMILY.test(text);
}

/**
 * Reads what the scan needs from a task definition as ECS describes it: the SDK's `TaskDefinition`, the
 * output of `aws ecs describe-task-definition` (`{ "taskDefinition": {...} }`), or a
 * `register-task-definition` input (no ARN or revision yet: the ARN is then `<family>:<revision or 0>`).
 * Entries without a name are skipped; a missing value is empty.
 *
 * @throws InvalidTaskDefinitionError naming the field that is wrong (never a value)
 */
export function readTaskDefinition(document: unknown): TaskDefinitionEnvironment {
  const root = asObject(document, 'the task definition');
  const td = 'taskDefinition' in root ? asObject(root.taskDefinition, 'taskDefinition') : root;
  const fromArn =
    typeof td.taskDefinitionArn === 'string' ? parseTaskDefinitionArn(td.taskDefinitionArn) : undefined;
  if (typeof td.taskDefinitionArn === 'string' && !fromArn) {
    throw new InvalidTaskDefinitionError('taskDefinitionArn is not a task definition ARN');
  }
  const family = fromArn?.family ?? td.family;
  if (typeof family !== 'string' || !FAMILY.test(family)) {
    throw new InvalidTaskDefinitionError('family is missing or malformed');
  }
  const revision = fromArn?.revision ?? (typeof td.revision === 'number' ? td.revision : 0);
  if (!Number.isInteger(revision) || revision < 0) {
    throw new InvalidTaskDefinitionError('revision is not a whole number', { context: { family } });
  }
  if (!Array.isArray(td.containerDefinitions)) {
    throw new InvalidTaskDefinitionError('containerDefinitions is not a list', { context: { family } });
  }
  const containers = td.containerDefinitions.map((c, i) => readContainer(c, i, family));
  return {
    taskDefinitionArn:
      typeof td.taskDefinitionArn === 'string' ? td.taskDefinitionArn : `${family}:${revision}`,
    family,
    revision,
    ...(typeof td.status === 'string' ? { status: td.status } : {}),
    containers,
  };
}

function readContainer(value: unknown, index: number, family: string): ContainerEnvironment {
  const c = asObject(value, `containerDefinitions[${index}]`, family);
  const name = typeof c.name === 'string' && c.name !== '' ? c.name : `#${index}`;
  const environment: EnvironmentVariable[] = [];
  for (const entry of Array.isArray(c.environment) ? c.environment : []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name === '') continue;
    environment.push({ name: e.name, value: typeof e.value === 'string' ? e.value : '' });
  }
  const environmentFiles: EnvironmentFileRef[] = [];
  for (const entry of Array.isArray(c.environmentFiles) ? c.environmentFiles : []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (typeof e.value === 'string') environmentFiles.push({ value: e.value, type: String(e.type ?? 's3') });
  }
  const log =
    typeof c.logConfiguration === 'object' && c.logConfiguration !== null
      ? (c.logConfiguration as Record<string, unknown>)
      : {};
  return {
    name,
    environment,
    environmentFiles,
    logOptions: stringMap(log.options),
    dockerLabels: stringMap(c.dockerLabels),
    command: strings(c.command),
    entryPoint: strings(c.entryPoint),
  };
}

/** A JSON object of strings as name/value pairs (ECS's `options` and `dockerLabels`); other values skipped. */
function stringMap(value: unknown): EnvironmentVariable[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([name, v]) => ({ name, value: v }));
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function asObject(value: unknown, what: string, family?: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTaskDefinitionError(`${what} is not a JSON object`, { context: { family } });
  }
  return value as Record<string, unknown>;
}

/**
 * Parses the text of a task definition JSON file (`aws ecs describe-task-definition` output or a
 * register-task-definition input). A JSON syntax error is reported by position only: the text may hold secrets.
 *
 * @throws InvalidTaskDefinitionError
 */
export function parseTaskDefinitionJson(text: string): TaskDefinitionEnvironment {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error, which may be a secret: keep none of it.
    throw new InvalidTaskDefinitionError('the task definition file is not valid JSON');
  }
  return readTaskDefinition(json);
}
