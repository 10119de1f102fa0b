/** A synthesized CloudFormation template, as much of it as the local runner reads. */
export interface CfnTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** The logical ids of a template's resources of one type. */
export function resourcesOfType(
  template: CfnTemplate,
  type: string,
): Array<[string, Record<string, unknown>]> {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

/** The pseudo parameters of a local run: the account and region the stand-ins answer for. */
export const LOCAL_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Rotor',
};

/**
 * Resolves the intrinsic functions a Lambda environment or a state machine definition uses (`Ref`,
 * pseudo parameters included, `Fn::GetAtt`, `Fn::Join`) against the physical ids the local runner gave
 * the resources. Anything else is an error that names it: the local run must not guess.
 */
export function resolveIntrinsics(
  value: unknown,
  physical: (logicalId: string, attribute?: string) => string,
  pseudo: Readonly<Record<string, string>> = LOCAL_PSEUDO_PARAMETERS,
): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, physical, pseudo));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref')
      return Object.hasOwn(pseudo, String(arg)) ? pseudo[String(arg)] : physical(String(arg));
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return physical(String(id), String(attribute));
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => String(resolveIntrinsics(part, physical, pseudo))).join(separator);
    }
    if (key.startsWith('Fn::')) throw new Error(`local runner cannot resolve ${key}`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, physical, pseudo)]));
}
