import type { Operation } from '../aws-json-server';
import { invalidParameter, invalidRequest } from './errors';
import {
  type Input,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalObjectList,
  optionalSecretValue,
  optionalString,
  optionalStringList,
  optionalTags,
  requiredString,
} from './input';
import { validateFilters, type ListFilter } from './list-filters';
import { generateRandomPassword } from './password';
import type { RotationRunner } from './rotation';
import { validateRotationRules, type RotationRules } from './rotation-rules';
import type { SecretsStore } from './store';

const SECRET_ID = { min: 1, max: 2048 } as const;
const TOKEN = { min: 32, max: 64 } as const;
const VERSION_ID = { min: 32, max: 64 } as const;
const STAGE = { min: 1, max: 256 } as const;
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;

/**
 * The Secrets Manager operations over the store: each reads its request members as the API model defines
 * them, calls the store, and shapes the answer for the wire (dates as epoch seconds, binary as base64).
 */
export function secretsManagerOperations(
  store: SecretsStore,
  rotations: RotationRunner,
): Record<string, Operation> {
  return {
    CreateSecret: (input) => {
      // The model's constraints first (ValidationException), then the service's rules.
      const request = {
        Name: requiredString(input, 'Name', { min: 1, max: 512 }),
        ClientRequestToken: optionalString(input, 'ClientRequestToken', TOKEN),
        Description: optionalString(input, 'Description', { max: 2048 }),
        KmsKeyId: optionalString(input, 'KmsKeyId', { max: 2048 }),
        Value: optionalSecretValue(input),
        Tags: optionalTags(input),
      };
      if (!NAME_PATTERN.test(request.Name)) {
        throw invalidParameter(
          'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
        );
      }
      if (optionalObjectList(input, 'AddReplicaRegions')?.length) {
        throw invalidRequest('The emulator does not replicate secrets to other Regions.');
      }
      return wire(store.createSecret(request));
    },

    DescribeSecret: (input) =>
      wire(store.describeSecret({ SecretId: requiredString(input, 'SecretId', SECRET_ID) })),

    GetSecretValue: (input) =>
      wire(
        valueEntry(
          store.getSecretValue({
            SecretId: requiredString(input, 'SecretId', SECRET_ID),
            VersionId: optionalString(input, 'VersionId', VERSION_ID),
            VersionStage: optionalString(input, 'VersionStage', STAGE),
          }),
        ),
      ),

    BatchGetSecretValue: (input) => {
      const filters = readFilters(input);
      const { SecretValues, ...rest } = store.batchGetSecretValue({
        SecretIdList: optionalStringList(input, 'SecretIdList', { min: 1, max: 20 }, SECRET_ID),
        Filters: filters,
        MaxResults: optionalInteger(input, 'MaxResults', { min: 1, max: 20 }),
        NextToken: optionalString(input, 'NextToken', { min: 1, max: 4096 }),
      });
      return wire({ ...rest, SecretValues: SecretValues.map(valueEntry) });
    },

    PutSecretValue: (input) => {
      const request = {
        SecretId: requiredString(input, 'SecretId', SECRET_ID),
        ClientRequestToken: optionalString(input, 'ClientRequestToken', TOKEN),
        Value: optionalSecretValue(input),
        VersionStages: optionalStringList(input, 'VersionStages', { min: 1, max: 20 }, STAGE),
      };
      // Accepted and not checked: the emulator has no rotation service principal to tell apart.
      optionalString(input, 'RotationToken', { min: 36, max: 256 });
      const { Value } = request;
      if (!Value) throw invalidRequest('You must provide either SecretString or SecretBinary.');
      return wire(store.putSecretValue({ ...request, Value }));
    },

    UpdateSecret: (input) =>
      wire(
        store.updateSecret({
          SecretId: requiredString(input, 'SecretId', SECRET_ID),
          ClientRequestToken: optionalString(input, 'ClientRequestToken', TOKEN),
          Description: optionalString(input, 'Description', { max: 2048 }),
          KmsKeyId: optionalString(input, 'KmsKeyId', { max: 2048 }),
          Value: optionalSecretValue(input),
        }),
      ),

    UpdateSecretVersionStage: (input) =>
      wire(
        store.updateSecretVersionStage({
          SecretId: requiredString(input, 'SecretId', SECRET_ID),
          VersionStage: requiredString(input, 'VersionStage', STAGE),
          MoveToVersionId: optionalString(input, 'MoveToVersionId', VERSION_ID),
          RemoveFromVersionId: optionalString(input, 'RemoveFromVersionId', VERSION_ID),
        }),
      ),

    ListSecretVersionIds: (input) =>
      wire(
        store.listSecretVersionIds({
          SecretId: requiredString(input, 'SecretId', SECRET_ID),
          IncludeDeprecated: optionalBoolean(input, 'IncludeDeprecated'),
          MaxResults: optionalInteger(input, 'MaxResults', { min: 1, max: 100 }),
          NextToken: optionalString(input, 'NextToken', { min: 1, max: 4096 }),
        }),
      ),

    ListSecrets: (input) => {
      const filters = readFilters(input);
      return wire(
        store.listSecrets({
          Filters: filters,
          IncludePlannedDeletion: optionalBoolean(input, 'IncludePlannedDeletion'),
          MaxResults: optionalInteger(input, 'MaxResults', { min: 1, max: 100 }),
          NextToken: optionalString(input, 'NextToken', { min: 1, max: 4096 }),
          SortOrder: optionalEnum(input, 'SortOrder', ['asc', 'desc']),
          SortBy: optionalEnum(input, 'SortBy', [
            'created-date',
            'last-accessed-date',
            'last-changed-date',
            'name',
          ]),
        }),
      );
    },

    GetRandomPassword: (input) => ({
      RandomPassword: generateRandomPassword({
        passwordLength: optionalInteger(input, 'PasswordLength', { min: 1, max: 4096 }),
        excludeCharacters: optionalString(input, 'ExcludeCharacters', { max: 4096 }),
        excludeNumbers: optionalBoolean(input, 'ExcludeNumbers'),
        excludePunctuation: optionalBoolean(input, 'ExcludePunctuation'),
        excludeUppercase: optionalBoolean(input, 'ExcludeUppercase'),
        excludeLowercase: optionalBoolean(input, 'ExcludeLowercase'),
        includeSpace: optionalBoolean(input, 'IncludeSpace'),
        requireEachIncludedType: optionalBoolean(input, 'RequireEachIncludedType'),
      }),
    }),

    RotateSecret: (input) => {
      const rules = rotationRules(input);
      const rotateImmediately = optionalBoolean(input, 'RotateImmediately') ?? true;
      const start = store.beginRotation(
        {
          SecretId: requiredString(input, 'SecretId', SECRET_ID),
          ClientRequestToken: optionalString(input, 'ClientRequestToken', TOKEN),
          RotationLambdaARN: optionalString(input, 'RotationLambdaARN', { max: 2048 }),
          RotationRules: rules,
        },
        (lambdaArn) => rotations.has(lambdaArn),
      );
      rotations.start(start, rotateImmediately);
      return { ARN: start.ARN, Name: start.Name, VersionId: start.VersionId };
    },

    CancelRotateSecret: (input) =>
      wire(store.cancelRotateSecret({ SecretId: requiredString(input, 'SecretId', SECRET_ID) })),

    TagResource: (input) => {
      const secretId = requiredString(input, 'SecretId', SECRET_ID);
      const tags = optionalTags(input);
      if (!tags) throw invalidParameter('Tags must not be empty.');
      store.tagResource({ SecretId: secretId, Tags: tags });
      return {};
    },

    UntagResource: (input) => {
      const secretId = requiredString(input, 'SecretId', SECRET_ID);
      const keys = optionalStringList(input, 'TagKeys', {}, { min: 1, max: 128 });
      if (!keys) throw invalidParameter('TagKeys must not be empty.');
      store.untagResource({ SecretId: secretId, TagKeys: keys });
      return {};
    },

    DeleteSecret: (input) =>
      wire(
        store.deleteSecret({
          SecretId: requiredString(input, 'SecretId', SECRET_ID),
          RecoveryWindowInDays: optionalInteger(input, 'RecoveryWindowInDays'),
          ForceDeleteWithoutRecovery: optionalBoolean(input, 'ForceDeleteWithoutRecovery'),
        }),
      ),

    RestoreSecret: (input) =>
      wire(store.restoreSecret({ SecretId: requiredString(input, 'SecretId', SECRET_ID) })),
  };
}

function readFilters(input: Input): ListFilter[] | undefined {
  const filters = optionalObjectList(input, 'Filters', { max: 10 })?.map((filter): ListFilter => ({
    Key: requiredString(filter, 'Key'),
    Values: optionalStringList(filter, 'Values') ?? [],
  }));
  if (filters) validateFilters(filters);
  return filters;
}

/** A version read for the wire: the value as SecretString, or SecretBinary in base64. */
function valueEntry({ Value, ...rest }: ReturnType<SecretsStore['getSecretValue']>): Record<string, unknown> {
  const value = Value.reveal();
  return {
    ...rest,
    SecretString: value.kind === 'string' ? value.text : undefined,
    SecretBinary: value.kind === 'binary' ? value.bytes.toString('base64') : undefined,
  };
}

function rotationRules(input: Input): RotationRules | undefined {
  const rules = optionalObject(input, 'RotationRules');
  if (!rules) return undefined;
  const parsed: RotationRules = {
    AutomaticallyAfterDays: optionalInteger(rules, 'AutomaticallyAfterDays'),
    ScheduleExpression: optionalString(rules, 'ScheduleExpression', { min: 1, max: 256 }),
    Duration: optionalString(rules, 'Duration', { min: 2, max: 3 }),
  };
  validateRotationRules(parsed);
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as RotationRules;
}

/** The JSON form of an answer: dates as epoch seconds, undefined members dropped. */
export function wire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(wire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, wire(v)]),
    );
  }
  return value;
}
