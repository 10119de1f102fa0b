import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseRotation } from '../../lib/rotation/database-rotation';
import type { RotorStack } from '../../lib/rotor-stack';

/** The id of the demo secret `rotor local` adds to the stack. */
export const DEMO_SECRET_ID = 'LocalDemoOrdersDb';

/**
 * What `rotor local` adds to the stack before it synthesizes it: one database secret with Rotor's rotation
 * attached, exactly as a user would attach it (no VPC: the throwaway database listens on loopback).
 */
export function addDatabaseDemo(stack: RotorStack): void {
  const secret = new secretsmanager.Secret(stack, DEMO_SECRET_ID, {
    secretName: 'demo/orders-db',
    description: 'rotor local: the orders database user, rotated by Rotor',
  });
  new DatabaseRotation(stack, `${DEMO_SECRET_ID}Rotation`, {
    secret,
    engine: 'postgres',
    audit: stack.audit,
    workflow: stack.rotation,
  });
}
