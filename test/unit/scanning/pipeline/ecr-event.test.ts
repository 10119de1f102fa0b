import { BUILTIN_RULES } from '../../../../core/scanning/detect';
import { InvalidScanRequestError, rulesetVersion, scanRequestOf } from '../../../../core/scanning/pipeline';

const digest = `sha256:${'ab'.repeat(32)}`;
const push = (over: Record<string, unknown> = {}, detail: Record<string, unknown> = {}) => ({
  source: 'aws.ecr',
  'detail-type': 'ECR Image Action',
  account: '123456789012',
  region: 'eu-west-1',
  detail: {
    'action-type': 'PUSH',
    result: 'SUCCESS',
    'repository-name': 'shop/api',
    'image-digest': digest,
    'image-tag': 'v1',
    ...detail,
  },
  ...over,
});

describe('scanRequestOf', () => {
  it('names the ECR registry of the event account and region', () => {
    expect(scanRequestOf(push())).toEqual({
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'shop/api',
      digest,
      tag: 'v1',
    });
    expect(scanRequestOf(push({ region: 'cn-north-1' })).registry).toBe(
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
    );
  });

  it('takes a scan request as it is (the scheduled rescan)', () => {
    const request = { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'a/b', digest };
    expect(scanRequestOf(request)).toEqual(request);
  });

  it.each([
    ['a delete', push({}, { 'action-type': 'DELETE' })],
    ['a failed push', push({}, { result: 'FAILURE' })],
    ['a bad digest', push({}, { 'image-digest': 'latest' })],
    ['a bad repository', push({}, { 'repository-name': 'Shop API' })],
    ['no account', push({ account: undefined })],
    ['nothing', undefined],
  ])('refuses %s', (_what, event) => {
    expect(() => scanRequestOf(event)).toThrow(InvalidScanRequestError);
  });
});

describe('rulesetVersion', () => {
  it('is stable for the same rules and changes with a rule or the salt', () => {
    const v = rulesetVersion(BUILTIN_RULES);
    expect(rulesetVersion(BUILTIN_RULES)).toBe(v);
    expect(v).toMatch(/^rules-[0-9a-f]{16}$/);
    expect(rulesetVersion(BUILTIN_RULES.slice(1))).not.toBe(v);
    expect(rulesetVersion(BUILTIN_RULES, 'force-rescan')).not.toBe(v);
  });
});
