import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { RotorError } from '../../core/errors';

/**
 * The one place that knows the middy chain of a Rotor function: Powertools context in every log line
 * (keys reset between invocations), metrics flushed per invocation, and errors logged once, here, by
 * class name and safe context (never the event, never a secret value), then rethrown so that Lambda's
 * retries and dead-letter queue keep the event.
 */
export function rotorHandler<E, R>(
  options: { logger: Logger; metrics: Metrics },
  handler: (event: E, context: Context) => Promise<R>,
) {
  const { logger, metrics } = options;
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics))
    .use({
      onError: async (request) => {
        const error = request.error as Error;
        logger.error('invocation failed', {
          errorName: error?.name,
          errorMessage: error?.message,
          ...(error instanceof RotorError ? { context: error.context } : {}),
        });
        metrics.addMetric('Failures', 'Count', 1);
      },
    });
}
