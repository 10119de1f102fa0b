import type { MergeInput, MergeOutput } from '../../../../core/contracts/scanning';
import { newFindingsBySeverityMetric, ROTOR_METRICS } from '../../../../core/contracts/metrics';
import { captureOutput, lambdaContext } from '../../../support/lambda-context';

// The handler's wiring talks to DynamoDB, ECR and EventBridge: replaced, as is the step, whose output is set.
let mockOutput: MergeOutput;
jest.mock('../../../../functions/scan-merge/merge-wiring', () => ({ mergeDeps: {} }));
jest.mock('../../../../functions/scan-resolve/managed-wiring', () => ({
  scanDetectors: { detectorFor: async () => ({}) },
}));
jest.mock('../../../../core/scanning/pipeline', () => ({ mergeStep: jest.fn(async () => mockOutput) }));

type Handler = (event: MergeInput, context: unknown) => Promise<MergeOutput>;
let handler: Handler;
beforeAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  handler = require('../../../../functions/scan-merge/handler').handler;
});
afterAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

const event = {
  resolve: { repository: 'shop/api', digest: `sha256:${'a'.repeat(64)}` },
  layers: [],
} as unknown as MergeInput;

/** The metrics of one invocation as `name -> value`, each checked to be in namespace Rotor under service scan-merge. */
async function metricsOf(output: MergeOutput): Promise<Record<string, number>> {
  mockOutput = output;
  const { output: printed, error } = await captureOutput(() => handler(event, lambdaContext('scan-merge')));
  expect(error).toBeUndefined();
  const metrics: Record<string, number> = {};
  for (const line of printed.split('\n').filter((l) => l.includes('"_aws"'))) {
    const blob = JSON.parse(line);
    for (const directive of blob._aws.CloudWatchMetrics) {
      expect(directive).toMatchObject({ Namespace: 'Rotor', Dimensions: [['service']] });
      expect(blob.service).toBe(ROTOR_METRICS.newFindings.service);
      for (const metric of directive.Metrics) metrics[metric.Name] = blob[metric.Name];
    }
  }
  return metrics;
}

describe('scan-merge handler metrics', () => {
  it('emits new findings per severity under the names the monitoring construct alarms on', async () => {
    const metrics = await metricsOf({
      findings: 7,
      newFindings: 5,
      managedLeaks: 1,
      newBySeverity: { critical: 2, high: 1, low: 2 },
      problems: [],
    });
    expect(metrics).toEqual({
      [ROTOR_METRICS.newFindings.name]: 5,
      [ROTOR_METRICS.managedSecretLeaks.name]: 1,
      [newFindingsBySeverityMetric('critical').name]: 2,
      [newFindingsBySeverityMetric('high').name]: 1,
      [newFindingsBySeverityMetric('medium').name]: 0,
      [newFindingsBySeverityMetric('low').name]: 2,
      [newFindingsBySeverityMetric('info').name]: 0,
    });
    expect(metrics.NewFindingsCritical).toBe(2);
  });

  it('emits zeros for every severity when an output carries no counts (an older Merge)', async () => {
    const metrics = await metricsOf({ findings: 0, newFindings: 0, managedLeaks: 0, problems: [] });
    expect(
      Object.keys(metrics).filter((name) => name.startsWith('NewFindings') && name !== 'NewFindings'),
    ).toHaveLength(5);
    expect(Object.values(metrics).every((value) => value === 0)).toBe(true);
  });
});
