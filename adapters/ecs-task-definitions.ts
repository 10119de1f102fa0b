import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import type { RotorError } from '../core/errors';
import {
  InvalidTaskDefinitionError,
  TaskDefinitionNotFoundError,
  TaskDefinitionRequestError,
  TaskDefinitionThrottlingError,
  TaskDefinitionUnavailableError,
} from '../core/scanning/task-definition/errors';
import { parseTaskDefinitionArn, readTaskDefinition } from '../core/scanning/task-definition/parse';
import type { TaskDefinitionSource } from '../core/scanning/task-definition/ports';
import type { TaskDefinitionEnvironment } from '../core/scanning/task-definition/types';
import { awsErrorInfo } from './aws-errors';

/** The largest page ListTaskDefinitionFamilies and ListTaskDefinitions return. */
const PAGE_SIZE = 100;

/**
 * The task definition scanner's TaskDefinitionSource over `@aws-sdk/client-ecs`:
 * DescribeTaskDefinition (its answer includes each container's `environment`), ListTaskDefinitionFamilies
 * with `status: ACTIVE` and ListTaskDefinitions with `familyPrefix` (the full family name), `status: ACTIVE`
 * and `sort: DESC` (newest first, so the latest revision is one call of one item), every list paged through.
 *
 * Throttling (after the SDK's own retries) becomes TaskDefinitionThrottlingError, 5xx and network errors
 * TaskDefinitionUnavailableError (both retryable, classified by adapters/aws-errors.ts); ECS's
 * `ClientException` on describe ("Unable to describe task definition") TaskDefinitionNotFoundError; other
 * refusals TaskDefinitionRequestError. Errors name the operation, family and AWS code, never ECS's message.
 *
 * @example
 *   const source = ecsTaskDefinitionSource(new ECSClient({}));
 *   const td = await source.describe('arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7');
 */
export function ecsTaskDefinitionSource(client: ECSClient = new ECSClient({})): TaskDefinitionSource {
  const send = async <T>(
    operation: string,
    context: Record<string, string>,
    call: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw toTaskDefinitionError(operation, context, error);
    }
  };

  async function* revisions(family: string, maxResults: number): AsyncIterable<string> {
    let nextToken: string | undefined;
    do {
      const page = await send('ListTaskDefinitions', { family }, () =>
        client.send(
          new ListTaskDefinitionsCommand({
            familyPrefix: family,
            status: 'ACTIVE',
            sort: 'DESC',
            maxResults,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      // familyPrefix is documented as the full family name; keep only that family's ARNs all the same.
      for (const arn of page.taskDefinitionArns ?? []) {
        if (parseTaskDefinitionArn(arn)?.family === family) yield arn;
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }

  return {
    async describe(taskDefinition: string): Promise<TaskDefinitionEnvironment> {
      const out = await send('DescribeTaskDefinition', { taskDefinition }, () =>
        client.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
      );
      if (!out.taskDefinition) {
        throw new InvalidTaskDefinitionError('DescribeTaskDefinition answered no task definition', {
          context: { taskDefinition },
        });
      }
      return readTaskDefinition(out.taskDefinition);
    },

    async *activeFamilies(): AsyncIterable<string> {
      let nextToken: string | undefined;
      do {
        const page = await send('ListTaskDefinitionFamilies', {}, () =>
          client.send(
            new ListTaskDefinitionFamiliesCommand({
              status: 'ACTIVE',
              maxResults: PAGE_SIZE,
              ...(nextToken ? { nextToken } : {}),
            }),
          ),
        );
        yield* page.families ?? [];
        nextToken = page.nextToken;
      } while (nextToken);
    },

    async latestActiveRevision(family: string): Promise<string | undefined> {
      for await (const arn of revisions(family, 1)) return arn;
      return undefined;
    },

    activeRevisions(family: string): AsyncIterable<string> {
      return revisions(family, PAGE_SIZE);
    },
  };
}

/** Sorts an SDK error: not found, throttling, unavailable (5xx, network) or refused; keeps it as the cause. */
export function toTaskDefinitionError(
  operation: string,
  context: Record<string, string>,
  error: unknown,
): RotorError {
  const { code, throttled, retryable } = awsErrorInfo(error);
  if (throttled) return new TaskDefinitionThrottlingError(operation, context, error);
  if (retryable) return new TaskDefinitionUnavailableError(operation, code, context, error);
  if (operation === 'DescribeTaskDefinition' && code === 'ClientException') {
    return new TaskDefinitionNotFoundError(context.taskDefinition ?? '', error);
  }
  return new TaskDefinitionRequestError(operation, code, context, error);
}
