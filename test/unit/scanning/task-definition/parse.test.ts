import {
  InvalidTaskDefinitionError,
  parseTaskDefinitionArn,
  parseTaskDefinitionJson,
  readTaskDefinition,
  scanTaskDefinitionText,
  taskDefinitionFileOf,
} from '../../../../core/scanning/task-definition';
import { createDetector } from '../../../../core/scanning/detect';
import { password } from '../../../../core/scanning/rules/sample-kit';
import { arnOf } from './support';

describe('readTaskDefinition', () => {
  it('reads describe-task-definition output: identity, environment, environment files, log options, labels, command', () => {
    const td = readTaskDefinition({
      taskDefinition: {
        taskDefinitionArn: arnOf('api', 12),
        family: 'api',
        revision: 12,
        status: 'ACTIVE',
        containerDefinitions: [
          {
            name: 'app',
            image: 'api:1',
            environment: [{ name: 'A', value: '1' }, { name: 'B' }, { value: 'nameless' }],
            environmentFiles: [{ value: 'arn:aws:s3:::b/app.env', type: 's3' }],
            logConfiguration: {
              logDriver: 'splunk',
              options: { 'splunk-url': 'https://splunk.internal', 'splunk-index': 7 },
            },
            dockerLabels: { team: 'orders' },
            command: ['serve', '--port', '8080', 3],
            entryPoint: ['/bin/sh', '-c'],
            secrets: [{ name: 'DB', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db' }],
          },
          { name: 'log-router', image: 'fluent-bit' },
        ],
      },
      tags: [],
    });
    expect(td).toEqual({
      taskDefinitionArn: arnOf('api', 12),
      family: 'api',
      revision: 12,
      status: 'ACTIVE',
      containers: [
        {
          name: 'app',
          environment: [
            { name: 'A', value: '1' },
            { name: 'B', value: '' },
          ],
          environmentFiles: [{ value: 'arn:aws:s3:::b/app.env', type: 's3' }],
          logOptions: [{ name: 'splunk-url', value: 'https://splunk.internal' }],
          dockerLabels: [{ name: 'team', value: 'orders' }],
          command: ['serve', '--port', '8080'],
          entryPoint: ['/bin/sh', '-c'],
        },
        {
          name: 'log-router',
          environment: [],
          environmentFiles: [],
          logOptions: [],
          dockerLabels: [],
          command: [],
          entryPoint: [],
        },
      ],
    });
  });

  it('reads a register-task-definition input, which has no ARN or revision yet', () => {
    const td = readTaskDefinition({ family: 'batch', containerDefinitions: [{ name: 'job' }] });
    expect(td).toMatchObject({ taskDefinitionArn: 'batch:0', family: 'batch', revision: 0 });
  });

  it.each([
    [[], 'the task definition is not a JSON object'],
    [{ containerDefinitions: [] }, 'family is missing or malformed'],
    [{ family: 'api' }, 'containerDefinitions is not a list'],
    [
      { taskDefinitionArn: 'arn:aws:s3:::bucket', containerDefinitions: [] },
      'taskDefinitionArn is not a task definition ARN',
    ],
  ])('refuses %j naming the field', (doc, message) => {
    expect(() => readTaskDefinition(doc)).toThrow(new InvalidTaskDefinitionError(message));
  });

  it('parses an ARN into family and revision', () => {
    expect(parseTaskDefinitionArn(arnOf('web-api_2', 40))).toEqual({ family: 'web-api_2', revision: 40 });
    expect(parseTaskDefinitionArn('web:1')).toBeUndefined();
  });
});

describe('scanTaskDefinitionText (for the CLI)', () => {
  it('names the file of an ecs-task-definition target and nothing else', () => {
    expect(taskDefinitionFileOf('ecs-task-definition:./td.json')).toBe('./td.json');
    expect(taskDefinitionFileOf('dir:./src')).toBeUndefined();
    expect(taskDefinitionFileOf('ecs-task-definition:')).toBeUndefined();
  });

  it('scans a file as describe-task-definition prints it', () => {
    const secret = password(15);
    const text = JSON.stringify({
      taskDefinition: {
        taskDefinitionArn: arnOf('api', 2),
        containerDefinitions: [{ name: 'app', environment: [{ name: 'DB_PASSWORD', value: secret }] }],
      },
    });
    const out = scanTaskDefinitionText(text, { detector: createDetector() });
    expect(out.findings.map((f) => f.location.path)).toEqual(['app/DB_PASSWORD']);
  });

  it('refuses text that is not JSON without quoting any of it', () => {
    const secret = password(15);
    const broken = `{"containerDefinitions":[{"environment":[{"name":"DB_PASSWORD","value":"${secret}"}]]`;
    let thrown: unknown;
    try {
      parseTaskDefinitionJson(broken);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTaskDefinitionError);
    expect(String((thrown as Error).message)).not.toContain(secret);
    expect((thrown as Error).cause).toBeUndefined();
  });
});
