import type { Rule } from '../rule';
import { any, base62Crc32, randomBody } from '../checks';
import { withBase62Crc32Checksum } from '../checksums';
import { ALNUM, BASE64URL, HEX, LOWER_DIGITS, rand } from '../sample-kit';

function githubClassic(prefix: string, id: string, title: string): Rule {
  const make = () => withBase62Crc32Checksum(prefix, rand(ALNUM, 30));
  return {
    id,
    title,
    kind: 'vcs',
    severity: 'critical',
    keywords: [prefix],
    anchor: { from: 0, to: 0 },
    pattern: new RegExp(`(?<![A-Za-z0-9_])(${prefix}[A-Za-z0-9]{36})(?![A-Za-z0-9_])`),
    secretGroup: 1,
    // The checksum proves a token; a body without one still counts when it reads as random (corpora and
    // migrated tokens lack it), but not when padded or counted like a fixture.
    validate: any(base62Crc32, (secret, match) => randomBody(3.5)(secret.slice(prefix.length), match)),
    samples: {
      leak: () => [
        `GITHUB_TOKEN=${make()}`,
        `githubToken := "${prefix}${rand(LOWER_DIGITS, 36)}"`,
        `git clone https://x-access-token:${make()}@github.com/o/r.git`,
        `"token": "${make()}"`,
      ],
      // Filler, and a body padded or counted like a fixture, is not a real token.
      ignore: [
        `${prefix}${'x'.repeat(36)}`,
        `token: ${prefix}${rand(ALNUM, 30)}AAAAAA`,
        `token: ${prefix}${rand(ALNUM, 30)}ABCDEF`,
      ],
    },
  };
}

const npmToken = () => withBase62Crc32Checksum('npm' + '_', rand(ALNUM, 30));

/** Source hosting, CI and package registries. */
export const VCS_CI_RULES: Rule[] = [
  githubClassic('ghp_', 'github-pat-classic', 'GitHub personal access token (classic)'),
  githubClassic('gho_', 'github-oauth-token', 'GitHub OAuth access token'),
  githubClassic('ghu_', 'github-user-to-server-token', 'GitHub App user-to-server token'),
  githubClassic('ghs_', 'github-server-to-server-token', 'GitHub App installation token'),
  githubClassic('ghr_', 'github-refresh-token', 'GitHub refresh token'),
  {
    id: 'github-fine-grained-pat',
    anchor: { from: 0, to: 0 },
    title: 'GitHub fine-grained personal access token',
    kind: 'vcs',
    severity: 'critical',
    keywords: ['github_pat_'],
    // The documented shape has `_` after 22 characters; generated corpora write 82 of `\w`: both are found.
    pattern: /(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `GH_TOKEN=${'github'}_pat_${rand(ALNUM, 22)}_${rand(ALNUM, 59)}`,
        `githubToken: ${'github'}_pat_${rand(LOWER_DIGITS, 82)}`,
      ],
      ignore: [`${'github'}_pat_${'x'.repeat(22)}_${'x'.repeat(59)}`],
    },
  },
  {
    id: 'gitlab-pat',
    anchor: { from: 0, to: 0 },
    title: 'GitLab personal access token',
    kind: 'vcs',
    severity: 'critical',
    keywords: ['glpat-'],
    pattern:
      /(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20}(?:[A-Za-z0-9_.-]{0,80}[A-Za-z0-9_-])?)(?![A-Za-z0-9_.-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [
        `GITLAB_TOKEN=${'glpat'}-${rand(ALNUM, 20)}`,
        `private_token: ${'glpat'}-${rand(BASE64URL, 27)}.01.${rand(ALNUM, 9)}`,
      ],
      ignore: [`token: ${'glpat'}-${'x'.repeat(20)}`],
    },
  },
  {
    id: 'gitlab-token',
    anchor: { from: 0, to: 0 },
    title: 'GitLab token (pipeline trigger, deploy, runner, feed, OAuth, session cookie)',
    kind: 'vcs',
    severity: 'high',
    keywords: [
      'glptt-',
      'gldt-',
      'glrt-',
      'glcbt-',
      'glft-',
      'gloas-',
      'glsoat-',
      'glimt-',
      'glagent-',
      'gr1348941',
      '_gitlab_session=',
    ],
    // Lengths from GitLab's generators: trigger tokens are SecureRandom.hex(20), OAuth application secrets
    // hex(32) in base64, incoming-mail tokens 25 characters, agent tokens 50 or more.
    pattern:
      /(?<![A-Za-z0-9_-])((?:gl(?:dt|rt|ft|soat)-|GR1348941)[A-Za-z0-9_-]{20,50}|glcbt-(?:[0-9a-fA-F]{2}_)?[A-Za-z0-9_-]{20,50}|glimt-[A-Za-z0-9_-]{25}|glptt-[A-Za-z0-9_-]{40}|glagent-[A-Za-z0-9_-]{50,1024}|gloas-[A-Za-z0-9_-]{64}|_gitlab_session=[0-9a-z]{32})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [
        `TRIGGER=${'glptt'}-${rand(HEX, 40)}`,
        `--token ${'glrt'}-${rand(BASE64URL, 20)}`,
        `registration-token: ${'GR1348941'}${rand(BASE64URL, 20)}`,
        `Cookie: _gitlab_session=${rand(LOWER_DIGITS, 32)}`,
      ],
      ignore: ['glrt-REGISTRATION_TOKEN'],
    },
  },
  {
    id: 'bitbucket-app-password',
    anchor: { from: 0, to: 0 },
    title: 'Bitbucket app password / API token',
    kind: 'vcs',
    severity: 'critical',
    keywords: ['atbb'],
    pattern: /(?<![A-Za-z0-9])(ATBB[A-Za-z0-9_=.-]{28,40})(?![A-Za-z0-9_=.-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`BITBUCKET_APP_PASSWORD=${'ATBB'}${rand(ALNUM, 28)}${rand(HEX, 8).toUpperCase()}`],
      ignore: ['ATBBXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'],
    },
  },
  {
    id: 'atlassian-api-token',
    anchor: { from: 0, to: 0 },
    title: 'Atlassian API token',
    kind: 'productivity',
    severity: 'high',
    keywords: ['atatt3'],
    pattern: /(?<![A-Za-z0-9_-])(ATATT3[A-Za-z0-9_=-]{180,200})(?![A-Za-z0-9_=-])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [`JIRA_API_TOKEN=${'ATATT3'}xFfGF0${rand(BASE64URL, 174)}=${rand(HEX, 8).toUpperCase()}`],
      ignore: ['JIRA_API_TOKEN=ATATT3xxxx'],
    },
  },
  {
    id: 'atlassian-api-token-legacy',
    anchor: { from: 0, to: 0 },
    title: 'Atlassian API token (legacy 24-character form)',
    kind: 'productivity',
    severity: 'high',
    keywords: ['atlassian', 'jira', 'confluence'],
    pattern:
      /(?:atlassian|jira|confluence)[\w.-]{0,20}(?:token|key|secret)["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([A-Za-z0-9]{24})(?![A-Za-z0-9])/i,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`JIRA_API_TOKEN=${rand(ALNUM, 24)}`, `confluence_token: "${rand(ALNUM, 24)}"`],
      ignore: ['JIRA_API_TOKEN=your_jira_api_token_here'],
    },
  },
  {
    id: 'circleci-token',
    anchor: { from: 0, to: 0 },
    title: 'CircleCI personal or project API token',
    kind: 'ci',
    severity: 'high',
    keywords: ['ccipat_', 'cciprj_'],
    pattern: /(?<![A-Za-z0-9_])(CCI(?:PAT|PRJ)_[A-Za-z0-9]{22}_[a-f0-9]{40})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`CIRCLE_TOKEN=${'CCIPAT'}_${rand(ALNUM, 22)}_${rand(HEX, 40)}`],
      ignore: ['CIRCLE_TOKEN=CCIPAT_'],
    },
  },
  {
    id: 'circleci-token-legacy',
    anchor: { from: 0, to: 0 },
    title: 'CircleCI API token (legacy 40-hex form)',
    kind: 'ci',
    severity: 'high',
    keywords: ['circle'],
    pattern:
      /circle[\w.-]{0,20}(?:token|key)["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([a-f0-9]{40})(?![A-Za-z0-9])/i,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`CIRCLE_TOKEN=${rand(HEX, 40)}`, `circleci_api_token: "${rand(HEX, 40)}"`],
      ignore: ['CIRCLE_SHA1=${CIRCLE_SHA1}'],
    },
  },
  {
    id: 'travis-ci-token',
    anchor: { from: 0, to: 0 },
    title: 'Travis CI API token',
    kind: 'ci',
    severity: 'high',
    keywords: ['travis'],
    pattern:
      /travis[\w.-]{0,20}(?:token|key)["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/i,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`TRAVIS_API_TOKEN=${rand(BASE64URL, 22)}`],
      ignore: ['TRAVIS_TOKEN=$TRAVIS_TOKEN'],
    },
  },
  {
    id: 'buildkite-token',
    anchor: { from: 0, to: 0 },
    title: 'Buildkite API access token',
    kind: 'ci',
    severity: 'high',
    keywords: ['bkua_'],
    pattern: /(?<![A-Za-z0-9_])(bkua_[a-z0-9]{40})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [
        `BUILDKITE_API_TOKEN=${'bkua'}_${rand(HEX, 40)}`,
        `token: ${'bkua'}_${rand(LOWER_DIGITS, 40)}`,
      ],
      ignore: ['bkua_'],
    },
  },
  {
    id: 'npm-token',
    anchor: { from: 0, to: 0 },
    title: 'npm access token',
    kind: 'registry',
    severity: 'critical',
    keywords: ['npm_'],
    pattern: /(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    validate: any(base62Crc32, (secret, match) => randomBody(3.5)(secret.slice(4), match)),
    samples: {
      leak: () => [
        `//registry.npmjs.org/:_authToken=${npmToken()}`,
        `NPM_TOKEN=${npmToken()}`,
        `npmToken = "${'npm'}_${rand(LOWER_DIGITS, 36)}"`,
      ],
      ignore: [`NPM_TOKEN=${'npm'}_${'x'.repeat(36)}`, `${'npm'}_config_cache_${rand(ALNUM, 26)}`],
    },
  },
  {
    id: 'pypi-token',
    anchor: { from: 0, to: 0 },
    title: 'PyPI upload token',
    kind: 'registry',
    severity: 'critical',
    // `pypi.org` or `test.pypi.org` in the macaroon's location.
    keywords: ['pypi-ageichlwas5vcmc', 'pypi-agendgvzdc5wexbplm9yzw'],
    pattern:
      /(?<![A-Za-z0-9_-])(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `password = ${'pypi'}-AgEIcHlwaS5vcmc${rand(BASE64URL, 150)}`,
        `TWINE_PASSWORD=${'pypi'}-AgEIcHlwaS5vcmc${rand(BASE64URL, 120)}`,
        `password = ${'pypi'}-AgENdGVzdC5weXBpLm9yZw${rand(BASE64URL, 140)}`,
      ],
      ignore: ['password = pypi-AgEIcHlwaS5vcmc'],
    },
  },
  {
    id: 'docker-hub-token',
    anchor: { from: 0, to: 0 },
    title: 'Docker Hub personal or organization access token',
    kind: 'registry',
    severity: 'critical',
    keywords: ['dckr_pat_', 'dckr_oat_'],
    pattern: /(?<![A-Za-z0-9_-])(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,32})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`echo ${'dckr'}_pat_${rand(BASE64URL, 27)} | docker login -u bob --password-stdin`],
      ignore: ['DOCKER_TOKEN=dckr_pat_XXXXXXXXXXXXXXXXXXXXXXXXXXX'],
    },
  },
];
