import { AwsServiceError, type Operation } from '../aws-json-server';
import type { EcsState, StoredTaskDefinition } from './state';

/**
 * The task definition calls the task definition scanner makes, on the ECS stand-in's state:
 * ListTaskDefinitionFamilies, ListTaskDefinitions and DeregisterTaskDefinition (so tests can make a
 * revision INACTIVE through the SDK). DescribeTaskDefinition is the stand-in's own (it answers the body as
 * registered, `environment` included). Plug in next to `ecsOperations(state)`:
 *
 *   operations: { ...ecsOperations(state), ...taskDefinitionOperations(state) }
 *
 * Shaped as the ECS API reference answers: families in name order; revisions by family, then revision,
 * ascending (`sort: DESC` reverses both); `status` ACTIVE by default for revisions, ALL for families;
 * `maxResults` 1 to 100 (100 by default); an opaque `nextToken`.
 */
export function taskDefinitionOperations(state: EcsState): Record<string, Operation> {
  return {
    ListTaskDefinitionFamilies: (input) => {
      const status = oneOf(input.status, ['ACTIVE', 'INACTIVE', 'ALL'], 'ALL', 'status');
      const prefix = optionalString(input.familyPrefix, 'familyPrefix') ?? '';
      const byFamily = new Map<string, boolean>(); // family -> has an ACTIVE revision
      for (const td of state.taskDefinitions.values()) {
        byFamily.set(td.family, (byFamily.get(td.family) ?? false) || statusOf(td) === 'ACTIVE');
      }
      const families = [...byFamily]
        .filter(
          ([family, active]) =>
            family.startsWith(prefix) && (status === 'ALL' || active === (status === 'ACTIVE')),
        )
        .map(([family]) => family)
        .sort();
      const page = paginate(families, pageSize(input.maxResults), input.nextToken);
      return { families: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },

    ListTaskDefinitions: (input) => {
      const status = oneOf(input.status, ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'], 'ACTIVE', 'status');
      const sort = oneOf(input.sort, ['ASC', 'DESC'], 'ASC', 'sort');
      const family = optionalString(input.familyPrefix, 'familyPrefix');
      const revisions = [...state.taskDefinitions.values()]
        .filter((td) => statusOf(td) === status && (family === undefined || td.family === family))
        .sort((a, b) => (a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1))
        .map((td) => td.taskDefinitionArn);
      if (sort === 'DESC') revisions.reverse();
      const page = paginate(revisions, pageSize(input.maxResults), input.nextToken);
      return { taskDefinitionArns: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },

    DeregisterTaskDefinition: (input) => {
      const reference = optionalString(input.taskDefinition, 'taskDefinition');
      if (!reference || !/:\d+$/.test(reference)) {
        throw invalidParameter('taskDefinition must name a revision (family:revision or an ARN).');
      }
      const td = state.taskDefinition(reference);
      td.body.status = 'INACTIVE';
      td.body.deregisteredAt = Math.floor(Date.now() / 1000);
      return { taskDefinition: td.body };
    },
  };
}

function statusOf(td: StoredTaskDefinition): string {
  return typeof td.body.status === 'string' ? td.body.status : 'ACTIVE';
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalidParameter(`${name} must be one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string.`);
  return value;
}

function pageSize(value: unknown): number {
  if (value === undefined || value === null) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw invalidParameter('maxResults must be between 1 and 100.');
  }
  return value;
}

/** Offset pagination behind an opaque token; a token that does not decode is InvalidParameterException. */
function paginate<T>(items: readonly T[], size: number, token: unknown): { items: T[]; nextToken?: string } {
  let start = 0;
  if (token !== undefined && token !== null) {
    const match = /^ecs-td-page:(\d+)$/.exec(Buffer.from(String(token), 'base64').toString('utf8'));
    if (!match) throw invalidParameter('Invalid nextToken.');
    start = Number(match[1]);
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(`ecs-td-page:${end}`).toString('base64') } : {}),
  };
}

function invalidParameter(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterException', message);
}
