import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AuditTrail } from '../audit-trail';
import { RotorFunction, type RotorFunctionProps } from '../shared/rotor-function';

/**
 * A rotation function shared by every secret of its kind (and VPC) in a stack: created by the first secret
 * that needs it, found by the next. It appends each step to the audit trail when one is given.
 */
export function sharedRotationFunction(
  scope: Construct,
  id: string,
  props: RotorFunctionProps & { readonly audit?: AuditTrail },
): RotorFunction {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(id) as RotorFunction | undefined;
  if (existing) return existing;
  const { audit, ...rest } = props;
  const fn = new RotorFunction(stack, id, {
    ...rest,
    environment: { ...rest.environment, ...(audit?.environment ?? {}) },
  });
  audit?.grantAppend(fn.function);
  return fn;
}
