import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AuditTrail } from '../../../lib/audit-trail';
import { SprawlScanner } from '../../../lib/scanning/scanner';
import { TaskDefinitionScan } from '../../../lib/scanning/task-definition-scan';
import { NO_BUNDLING } from '../../support/synth';
import { ACCOUNT, REGION } from '../scan-workflow/local-workflow';

type Cfn = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

/** The audit trail, the scanner (for its findings table) and the task definition scan, synthesized without bundling. */
export function synthTaskDefinitionStack(): Cfn {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'TaskDefinitions', { env: { account: ACCOUNT, region: REGION } });
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const scanner = new SprawlScanner(stack, 'Scanner', { audit, rescan: false });
  new TaskDefinitionScan(stack, 'TaskDefinitions', { audit, findingsTable: scanner.findingsTable });
  return Template.fromStack(stack).toJSON() as Cfn;
}

/** A value at a simple JSONPath (`$.a.b.c`), or undefined. */
function at(event: unknown, path: string): unknown {
  let value: unknown = event;
  for (const key of path.replace(/^\$\./, '').split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * What EventBridge hands the target: the rule's input transformer applied to the event, as the service
 * does it (each `<variable>` replaced by the JSON of the value at its path; a missing path by null).
 */
export function transformed(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: unknown,
): unknown {
  const text = transformer.InputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (_, name: string) => {
    const value = at(event, transformer.InputPathsMap[name]!);
    return value === undefined ? 'null' : JSON.stringify(value);
  });
  return JSON.parse(text);
}
