import fc from 'fast-check';
import { isLoopbackRegistry, parseTarget } from '../../../../core/scanning/image/target';
import { TargetSyntaxError } from '../../../../core/scanning/image/errors';
import { normalizeEntryPath, parseWhiteout } from '../../../../core/scanning/image/paths';
import { parseChallenge } from '../../../../adapters/registry/http-registry';

const hex = 'a'.repeat(64);

describe('parseTarget', () => {
  it.each([
    ['oci:./images/app', { kind: 'oci', dir: './images/app' }],
    ['oci:/tmp/layout:v1.2', { kind: 'oci', dir: '/tmp/layout', tag: 'v1.2' }],
    ['docker-archive:/tmp/app.tar', { kind: 'docker-archive', file: '/tmp/app.tar' }],
    ['dir:./src', { kind: 'dir', path: './src' }],
    [
      '127.0.0.1:5000/team/app:1.0',
      { kind: 'registry', registry: '127.0.0.1:5000', repository: 'team/app', tag: '1.0', reference: '1.0' },
    ],
    ['localhost/app', { kind: 'registry', registry: 'localhost', repository: 'app', reference: 'latest' }],
    [
      `registry.example.com/app@sha256:${hex}`,
      { kind: 'registry', repository: 'app', digest: `sha256:${hex}`, reference: `sha256:${hex}` },
    ],
    [`r.example:443/a/b:t@sha256:${hex}`, { kind: 'registry', tag: 't', reference: `sha256:${hex}` }],
    [
      'alpine',
      {
        kind: 'registry',
        registry: 'registry-1.docker.io',
        repository: 'library/alpine',
        reference: 'latest',
      },
    ],
    [
      'docker.io/nginx:1',
      { kind: 'registry', registry: 'registry-1.docker.io', repository: 'library/nginx', reference: '1' },
    ],
    [
      'docker://123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc:2',
      { kind: 'registry', registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'svc' },
    ],
  ])('parses %s', (text, expected) => {
    expect(parseTarget(text)).toMatchObject({ ...expected, text });
  });

  it.each([
    '',
    ' oci:x',
    'oci:',
    'dir:',
    'docker-archive:',
    'Registry.example/UPPER',
    'host/app@sha256:short',
    'host/app:bad tag',
    'host/app:',
  ])('refuses %j', (text) => {
    expect(() => parseTarget(text)).toThrow(TargetSyntaxError);
  });

  it('never throws anything but TargetSyntaxError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseTarget(text);
        } catch (error) {
          expect(error).toBeInstanceOf(TargetSyntaxError);
        }
      }),
    );
  });

  it('knows loopback registries', () => {
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackRegistry('localhost')).toBe(true);
    expect(isLoopbackRegistry('[::1]:5000')).toBe(true);
    expect(isLoopbackRegistry('127.0.0.1.evil.example')).toBe(false);
    expect(isLoopbackRegistry('registry.example:5000')).toBe(false);
  });
});

describe('normalizeEntryPath', () => {
  it('never climbs above the root and never starts with / or .', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('..', '.', '', 'a', 'b', '/', '//'), { maxLength: 12 }),
        (parts) => {
          const path = normalizeEntryPath(parts.join('/'));
          expect(path.startsWith('/')).toBe(false);
          expect(path.split('/')).not.toContain('..');
          expect(path.split('/')).not.toContain('.');
        },
      ),
    );
  });
});

describe('parseWhiteout', () => {
  it('reads deletions and opaque markers', () => {
    expect(parseWhiteout('a/b/.wh.c')).toEqual({ kind: 'delete', path: 'a/b/c' });
    expect(parseWhiteout('.wh.top')).toEqual({ kind: 'delete', path: 'top' });
    expect(parseWhiteout('a/.wh..wh..opq')).toEqual({ kind: 'opaque', dir: 'a' });
    expect(parseWhiteout('a/b.wh.c')).toBeUndefined();
    expect(parseWhiteout('a/.wh.')).toBeUndefined();
  });
});

describe('parseChallenge', () => {
  it('reads a Bearer challenge with a quoted scope holding commas', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:a/b:pull,push',
      },
    });
  });
  it('reads a Basic challenge', () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
  });
  it('gives undefined for an empty header', () => {
    expect(parseChallenge('')).toBeUndefined();
  });
});
