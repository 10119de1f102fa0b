import { ACCOUNT, REGION, arnOf } from './support';

/**
 * The EventBridge event of a CloudTrail `RegisterTaskDefinition` record, in the shape AWS delivers it
 * (`AWS API Call via CloudTrail`, source `aws.ecs`): the request and the response both carry the container
 * definitions, plaintext environment included.
 */
export function registerTaskDefinitionEvent(
  family: string,
  revision: number,
  environment: { name: string; value: string }[],
  options: { errorCode?: string; withoutResponse?: boolean } = {},
): Record<string, unknown> {
  const containerDefinitions = [
    { name: 'app', image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${family}:1`, environment },
  ];
  return {
    version: '0',
    id: 'b8f6a0c2-5a2f-4c3e-9d1e-1f6f7a0e2b11',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: '2026-11-24T09:30:12Z',
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEPRINCIPAL:deployer',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`,
        accountId: ACCOUNT,
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/deployer` } },
      },
      eventTime: '2026-11-24T09:30:11Z',
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RegisterTaskDefinition',
      awsRegion: REGION,
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-cli/2.17.0',
      requestParameters: {
        family,
        containerDefinitions,
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
      },
      responseElements:
        options.errorCode || options.withoutResponse
          ? null
          : {
              taskDefinition: {
                taskDefinitionArn: arnOf(family, revision),
                family,
                revision,
                status: 'ACTIVE',
                containerDefinitions,
                registeredAt: 'Nov 24, 2026, 9:30:11 AM',
              },
              tags: [],
            },
      ...(options.errorCode ? { errorCode: options.errorCode, errorMessage: 'refused' } : {}),
      requestID: '7d1a3c9e-0000-4b6f-a6c1-5f0f7e9a1b22',
      eventID: 'e5c1a7b4-0000-4d2a-8f3e-9b6c1d2e3f44',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}
