import { parseTaskDefinitionJson } from './parse';
import { scanTaskDefinition, type TaskDefinitionScanOptions } from './scan';
import type { TaskDefinitionScan } from './types';

/** The CLI target prefix: `rotor scan ecs-task-definition:<file.json>`. */
export const TASK_DEFINITION_TARGET_PREFIX = 'ecs-task-definition:';

/** The file a `ecs-task-definition:<file.json>` target names, or undefined for any other target. */
export function taskDefinitionFileOf(target: string): string | undefined {
  if (!target.startsWith(TASK_DEFINITION_TARGET_PREFIX)) return undefined;
  const file = target.slice(TASK_DEFINITION_TARGET_PREFIX.length);
  return file === '' ? undefined : file;
}

/**
 * Scans the text of a task definition JSON file (as `aws ecs describe-task-definition` prints it, or a
 * register-task-definition input) for the CLI: findings (Finding-compatible, so the table, JSON and SARIF
 * reports take them) and notes, nothing stored.
 *
 * @throws InvalidTaskDefinitionError when the text is not a task definition (never quoting it)
 */
export function scanTaskDefinitionText(text: string, options: TaskDefinitionScanOptions): TaskDefinitionScan {
  return scanTaskDefinition(parseTaskDefinitionJson(text), options);
}
