import type { TaskDefinitionRef } from './types';

/**
 * What to do about a secret in a task definition's plaintext environment, for people: move it to a
 * `secrets` reference, grant the execution role, roll out, rotate, deregister the revisions that hold it.
 * Names the variable, container and revision; never the value.
 */
export function taskDefinitionRemedy(ref: TaskDefinitionRef, managedSecretId?: string): string {
  const where = `${ref.family}:${ref.revision}`;
  const source = managedSecretId
    ? `The value is the live value of the Rotor-managed secret ${managedSecretId}: reference that secret.`
    : 'Store the value in AWS Secrets Manager (or SSM Parameter Store as a SecureString).';
  const grant = [
    'Grant the task execution role secretsmanager:GetSecretValue on that secret (ssm:GetParameters for a',
    'parameter, and kms:Decrypt when a customer-managed key encrypts it), deploy the new revision,',
    `rotate the value (it has been exposed), then deregister ${where} and the older revisions that hold it.`,
  ];
  const reference =
    '(`<secret ARN>:<json-key>::` takes one key of a JSON secret; a parameter ARN for Parameter Store).';
  switch (ref.field) {
    case 'environment':
      return [
        `${ref.variable} in container ${ref.container} of ${where} is a secret in plaintext \`environment\`;`,
        'anyone allowed ecs:DescribeTaskDefinition can read it.',
        source,
        `In a new revision, remove ${ref.variable} from \`environment\` and add`,
        `\`"secrets": [{ "name": "${ref.variable}", "valueFrom": "<secret ARN>" }]\``,
        reference,
        ...grant,
      ].join(' ');
    case 'logConfiguration.options':
      return [
        `The log option ${ref.variable} of container ${ref.container} in ${where} holds a secret in plaintext;`,
        'anyone allowed ecs:DescribeTaskDefinition can read it.',
        source,
        `In a new revision, remove it from \`logConfiguration.options\` and add`,
        `\`"secretOptions": [{ "name": "${ref.variable}", "valueFrom": "<secret ARN>" }]\` to \`logConfiguration\``,
        reference,
        ...grant,
      ].join(' ');
    default:
      return [
        `The ${ref.field === 'dockerLabels' ? `Docker label ${ref.variable}` : `\`${ref.field}\``} of container ${ref.container} in ${where} holds a secret in plaintext;`,
        'anyone allowed ecs:DescribeTaskDefinition can read it.',
        source,
        'In a new revision, take it out: give it to the container as an environment variable with',
        '`"secrets": [{ "name": "<VAR>", "valueFrom": "<secret ARN>" }]` and have the process read `<VAR>`',
        '(a shell command expands `$<VAR>` at run time).',
        reference,
        ...grant,
      ].join(' ');
  }
}
