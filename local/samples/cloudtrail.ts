// Secrets Manager CloudTrail records as EventBridge delivers them: for tests and for the `rotor local` demo.
import { randomUUID } from 'node:crypto';

const ACCOUNT = '123456789012';
const SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/orders-db-AbC123`;

/** The EventBridge envelope of a Secrets Manager CloudTrail record, shaped as AWS documents it. */
export function cloudTrailEvent(eventName: string, detail: Record<string, unknown> = {}) {
  const eventID = randomUUID();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.secretsmanager',
    account: ACCOUNT,
    time: '2026-11-24T08:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEID:orders-service',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/orders-task/orders-service`,
        accountId: ACCOUNT,
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/orders-task` } },
      },
      eventTime: '2026-11-24T07:59:58Z',
      eventSource: 'secretsmanager.amazonaws.com',
      eventName,
      awsRegion: 'eu-west-1',
      sourceIPAddress: '10.0.3.17',
      userAgent: 'aws-sdk-js/3.1164.0 ua/2.1 os/linux lang/js md/nodejs#22.23.3 api/secrets-manager#3.1164.0',
      requestParameters: { secretId: SECRET_ARN },
      responseElements: null,
      requestID: randomUUID(),
      eventID,
      readOnly: eventName === 'GetSecretValue',
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
      ...detail,
    },
  };
}

/** One sample per audited call, with the request and response parameters CloudTrail records for it. */
export function cloudTrailSamples() {
  return {
    GetSecretValue: cloudTrailEvent('GetSecretValue', {
      requestParameters: { secretId: SECRET_ARN, versionStage: 'AWSCURRENT' },
    }),
    PutSecretValue: cloudTrailEvent('PutSecretValue', {
      requestParameters: {
        secretId: SECRET_ARN,
        clientRequestToken: randomUUID(),
        versionStages: ['AWSPENDING'],
        secretString: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      },
      responseElements: {
        arn: SECRET_ARN,
        name: 'prod/orders-db',
        versionId: 'b7a8c9d0-0000-4000-8000-000000000001',
        versionStages: ['AWSPENDING'],
      },
    }),
    UpdateSecretVersionStage: cloudTrailEvent('UpdateSecretVersionStage', {
      requestParameters: {
        secretId: SECRET_ARN,
        versionStage: 'AWSCURRENT',
        moveToVersionId: 'b7a8c9d0-0000-4000-8000-000000000001',
        removeFromVersionId: 'a1a1a1a1-0000-4000-8000-000000000000',
      },
      responseElements: { arn: SECRET_ARN, name: 'prod/orders-db' },
    }),
    RotateSecret: cloudTrailEvent('RotateSecret', {
      requestParameters: { secretId: SECRET_ARN, clientRequestToken: randomUUID() },
      responseElements: {
        arn: SECRET_ARN,
        name: 'prod/orders-db',
        versionId: 'c0c0c0c0-0000-4000-8000-000000000002',
      },
    }),
    DeleteSecret: cloudTrailEvent('DeleteSecret', {
      requestParameters: { secretId: SECRET_ARN, recoveryWindowInDays: 7 },
      responseElements: { arn: SECRET_ARN, name: 'prod/orders-db', deletionDate: 'Dec 1, 2026, 8:00:00 AM' },
    }),
    RestoreSecret: cloudTrailEvent('RestoreSecret', {
      requestParameters: { secretId: 'prod/orders-db' },
      responseElements: { arn: SECRET_ARN, name: 'prod/orders-db' },
    }),
    FailedGetSecretValue: cloudTrailEvent('GetSecretValue', {
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLE',
        arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
        accountId: ACCOUNT,
      },
      errorCode: 'AccessDenied',
      errorMessage:
        'User: arn:aws:iam::123456789012:user/mallory is not authorized to perform: secretsmanager:GetSecretValue',
    }),
  };
}
