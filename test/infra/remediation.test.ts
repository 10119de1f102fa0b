import { Match } from 'aws-cdk-lib/assertions';
import { policyLines, synthRotor } from '../support/synth';

describe('Remediation', () => {
  const { template } = synthRotor();
  const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) =>
    id.startsWith('Rotation'),
  )!;

  it('starts the rotation workflow with reason remediation when a managed secret leaks', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['rotor.scanner'], 'detail-type': ['Rotor Managed Secret Leaked'] },
      Targets: [
        Match.objectLike({
          Arn: { Ref: machineId },
          InputTransformer: {
            InputPathsMap: {
              'detail-secretId': '$.detail.secretId',
              'detail-fingerprint': '$.detail.fingerprint',
              'detail-stage': '$.detail.stage',
            },
            InputTemplate:
              '{"secretId":<detail-secretId>,"reason":"remediation","findingFingerprint":<detail-fingerprint>,"leakedStage":<detail-stage>}',
          },
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RemediationDeadLetters'), 'Arn'] },
          },
        }),
      ],
    });
  });

  it('lets the rule start only the rotation workflow', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule')).find(
      (r) => r.Properties.EventPattern?.['detail-type']?.[0] === 'Rotor Managed Secret Leaked',
    )!;
    const roleId = rule.Properties.Targets[0].RoleArn['Fn::GetAtt'][0] as string;
    expect(policyLines(template, roleId)).toEqual([
      `states:StartExecution on {"Ref":"${machineId.replace(/[0-9A-F]{8}$/, '')}"}`,
    ]);
  });

  it('tells people, through a KMS-encrypted topic, about high and critical secrets Rotor does not manage', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['rotor.scanner'],
        'detail-type': ['Rotor Unmanaged Secret Found'],
        detail: { severity: ['critical', 'high'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^RemediationUnmanagedFindings') },
          InputTransformer: Match.objectLike({
            InputTemplate: Match.stringLikeRegexp('new ManagedSecret'),
          }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Rotor: secrets found that Rotor does not manage',
      KmsMasterKeyId: Match.anyValue(),
    });
  });
});
