import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AuditTrail } from '../../../lib/audit-trail';
import { SprawlScanner } from '../../../lib/scanning/scanner';
import { LOCAL_PSEUDO_PARAMETERS, resolveIntrinsics } from '../../../local/template';
import { NO_BUNDLING } from '../../support/synth';

/** The account and region the test stack is synthesized for. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

type Cfn = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

/** A stack with the audit trail and the scanner, synthesized without bundling: what the lead will compose. */
export function synthScannerStack(options: { rescan?: boolean } = {}): Cfn {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Scanning', { env: { account: ACCOUNT, region: REGION } });
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  new SprawlScanner(stack, 'Scanner', { audit, rescan: options.rescan ?? false });
  return Template.fromStack(stack).toJSON() as Cfn;
}

/** The logical id of the one resource of a type whose id starts with a prefix. */
export function logicalId(template: Cfn, type: string, prefix: string): string {
  const id = Object.keys(template.Resources).find(
    (k) => k.startsWith(prefix) && template.Resources[k]!.Type === type,
  );
  if (!id) throw new Error(`no ${type} ${prefix}* in the template`);
  return id;
}

/**
 * Resolves the CloudFormation tokens the way deployment would, with local names (local/template.ts): `Ref`
 * of a table to its local name, of a pseudo parameter to the test account's values, `Fn::GetAtt [fn, Arn]`
 * to a Lambda ARN.
 */
export function resolveTokens(value: unknown, names: ReadonlyMap<string, string>): unknown {
  return resolveIntrinsics(
    value,
    (id, attribute) =>
      attribute === undefined
        ? (names.get(id) ?? id)
        : `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}${attribute === 'Arn' ? '' : `:${attribute}`}`,
    { ...LOCAL_PSEUDO_PARAMETERS, 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT },
  );
}

/** The state machine's Amazon States Language definition, tokens resolved. */
export function definitionOf(template: Cfn, machineId: string, names: ReadonlyMap<string, string>) {
  const text = resolveTokens(template.Resources[machineId]!.Properties.DefinitionString, names) as string;
  return JSON.parse(text);
}

/** A function's environment as the template gives it, tokens resolved. */
export function environmentOf(
  template: Cfn,
  functionId: string,
  names: ReadonlyMap<string, string>,
): Record<string, string> {
  const vars = template.Resources[functionId]!.Properties.Environment?.Variables ?? {};
  return resolveTokens(vars, names) as Record<string, string>;
}
