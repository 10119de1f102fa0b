import { TaskDefinitionNotFoundError } from '../../../../core/scanning/task-definition/errors';
import type { TaskDefinitionSource } from '../../../../core/scanning/task-definition/ports';
import type { TaskDefinitionEnvironment } from '../../../../core/scanning/task-definition/types';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** The ARN of a revision in the test account. */
export function arnOf(family: string, revision: number): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
}

/** A revision with one container `app` holding the given variables. */
export function revisionOf(
  family: string,
  revision: number,
  environment: Record<string, string>,
  extra: Partial<TaskDefinitionEnvironment> = {},
): TaskDefinitionEnvironment {
  return {
    taskDefinitionArn: arnOf(family, revision),
    family,
    revision,
    status: 'ACTIVE',
    containers: [
      {
        name: 'app',
        environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
        environmentFiles: [],
      },
    ],
    ...extra,
  };
}

/** Task definitions in memory, with the port's semantics; `failures` makes describe throw for an ARN. */
export class MemoryTaskDefinitions implements TaskDefinitionSource {
  readonly revisions: TaskDefinitionEnvironment[] = [];
  readonly described: string[] = [];
  readonly failures = new Map<string, Error[]>();

  add(td: TaskDefinitionEnvironment): string {
    this.revisions.push(td);
    return td.taskDefinitionArn;
  }

  async describe(reference: string): Promise<TaskDefinitionEnvironment> {
    this.described.push(reference);
    const queued = this.failures.get(reference);
    if (queued?.length) throw queued.shift();
    const [family, revision] = reference.replace(/^arn:.*:task-definition\//, '').split(':');
    const found = this.revisions
      .filter((r) => r.family === family && (revision === undefined || String(r.revision) === revision))
      .sort((a, b) => b.revision - a.revision)[0];
    if (!found) throw new TaskDefinitionNotFoundError(reference);
    return found;
  }

  async *activeFamilies(): AsyncIterable<string> {
    yield* [...new Set(this.active().map((r) => r.family))].sort();
  }

  async latestActiveRevision(family: string): Promise<string | undefined> {
    for await (const arn of this.activeRevisions(family)) return arn;
    return undefined;
  }

  async *activeRevisions(family: string): AsyncIterable<string> {
    yield* this.active()
      .filter((r) => r.family === family)
      .sort((a, b) => b.revision - a.revision)
      .map((r) => r.taskDefinitionArn);
  }

  private active(): TaskDefinitionEnvironment[] {
    return this.revisions.filter((r) => (r.status ?? 'ACTIVE') === 'ACTIVE');
  }
}
