import type { Rule } from '../rule';
import { ALNUM, BASE64, BASE64URL, DIGITS, HEX, LOWER_DIGITS, rand } from '../sample-kit';

const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BECH32_UPPER = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

/** A vendor token that starts with a fixed prefix: one sticky try at each occurrence of the prefix. */
function prefixed(
  row: Omit<Rule, 'anchor' | 'secretGroup' | 'kind' | 'severity'> & Partial<Pick<Rule, 'kind' | 'severity'>>,
): Rule {
  return { kind: 'infrastructure', severity: 'high', ...row, anchor: { from: 0, to: 0 }, secretGroup: 1 };
}

/**
 * Widely used SaaS and developer platforms whose tokens carry a prefix: cheap to find (one sticky try per
 * prefix occurrence) and precise. Learned from the formats gitleaks and trufflehog document.
 */
export const SAAS_MORE_RULES: Rule[] = [
  prefixed({
    id: 'planetscale-token',
    title: 'PlanetScale API, OAuth token or database password',
    kind: 'infrastructure',
    keywords: ['pscale_tkn_', 'pscale_oauth_', 'pscale_pw_'],
    pattern: /(?<![A-Za-z0-9_])(pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64})(?![A-Za-z0-9_=.-])/,
    entropy: 3.5,
    samples: {
      leak: () => [
        `PLANETSCALE_TOKEN=${'pscale'}_tkn_${rand(BASE64URL, 43)}`,
        `password: ${'pscale'}_pw_${rand(ALNUM, 43)}`,
      ],
      ignore: ['pscale_tkn_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  }),
  prefixed({
    id: 'prefect-api-key',
    title: 'Prefect Cloud API key',
    keywords: ['pnu_'],
    pattern: /(?<![A-Za-z0-9_])(pnu_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/,
    entropy: 3.5,
    samples: {
      leak: () => [`PREFECT_API_KEY=${'pnu'}_${rand(ALNUM, 36)}`],
      ignore: ['pnu_' + 'x'.repeat(36)],
    },
  }),
  prefixed({
    id: 'rubygems-api-key',
    title: 'RubyGems API key',
    kind: 'registry',
    severity: 'critical',
    keywords: ['rubygems_'],
    pattern: /(?<![A-Za-z0-9_])(rubygems_[a-f0-9]{48})(?![A-Za-z0-9_])/,
    entropy: 3,
    samples: {
      leak: () => [`:rubygems_api_key: ${'rubygems'}_${rand(HEX, 48)}`],
      ignore: [`${'rubygems'}_${'0'.repeat(48)}`],
    },
  }),
  {
    id: 'twitter-bearer-token',
    // The token's 22 leading `A`s are where the keyword matches; the secret is what follows them.
    anchor: { from: 0, to: 0 },
    title: 'Twitter / X app bearer token',
    kind: 'productivity',
    severity: 'high',
    keywords: ['aaaaaaaaaaaaaaaaaaaaaa'],
    pattern: /(?<![A-Za-z0-9%])A{22}([A-Za-z0-9%]{80,112})(?![A-Za-z0-9%])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [`TWITTER_BEARER_TOKEN=${'A'.repeat(22)}${rand(ALNUM, 20)}%3D${rand(ALNUM, 70)}`],
      ignore: ['A'.repeat(120)],
    },
  },
  prefixed({
    id: '1password-secret-key',
    title: '1Password account secret key or service account token',
    kind: 'productivity',
    severity: 'critical',
    keywords: ['a3-', 'ops_eyj'],
    pattern:
      /(?<![A-Za-z0-9_-])(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}|ops_eyJ[A-Za-z0-9+/]{250,2000}={0,3})(?![A-Za-z0-9_+/=-])/,
    entropy: 3.5,
    samples: {
      leak: () => [
        `secret_key: A3-${rand(UPPER_DIGITS, 6)}-${rand(UPPER_DIGITS, 11)}-${rand(UPPER_DIGITS, 5)}-${rand(UPPER_DIGITS, 5)}-${rand(UPPER_DIGITS, 5)}`,
        `OP_SERVICE_ACCOUNT_TOKEN=${'ops'}_eyJ${rand(BASE64, 300)}`,
      ],
      ignore: ['A3-XXXXXX-XXXXXXXXXXX-XXXXX-XXXXX-XXXXX'],
    },
  }),
  prefixed({
    id: 'harness-api-key',
    title: 'Harness personal or service account token',
    kind: 'ci',
    keywords: ['pat.', 'sat.'],
    pattern:
      /(?<![A-Za-z0-9_.-])((?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20})(?![A-Za-z0-9_.-])/,
    entropy: 3.5,
    samples: {
      leak: () => [`HARNESS_API_KEY=pat.${rand(BASE64URL, 22)}.${rand(HEX, 24)}.${rand(ALNUM, 20)}`],
      ignore: ['pat.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxx'],
    },
  }),
  prefixed({
    id: 'databricks-token',
    title: 'Databricks personal access token',
    kind: 'infrastructure',
    keywords: ['dapi'],
    pattern: /(?<![A-Za-z0-9_])(dapi[a-f0-9]{32}(?:-\d)?)(?![A-Za-z0-9_-])/,
    entropy: 3,
    samples: {
      leak: () => [`DATABRICKS_TOKEN=${'dapi'}${rand(HEX, 32)}`, `token = "${'dapi'}${rand(HEX, 32)}-2"`],
      ignore: [`${'dapi'}${'0'.repeat(32)}`],
    },
  }),
  prefixed({
    id: 'doppler-token',
    title: 'Doppler token',
    kind: 'infrastructure',
    keywords: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
    pattern: /(?<![A-Za-z0-9_.])(dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})(?![A-Za-z0-9_])/,
    entropy: 3.5,
    samples: {
      leak: () => [`DOPPLER_TOKEN=dp.pt.${rand(ALNUM, 43)}`, `doppler_token: dp.st.${rand(ALNUM, 43)}`],
      ignore: ['DOPPLER_TOKEN=dp.pt.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  }),
  prefixed({
    id: 'artifactory-token',
    title: 'JFrog Artifactory API key or reference token',
    kind: 'registry',
    keywords: ['akcp', 'cmvmdgtuojaxoj'],
    // API keys start `AKCp`; reference tokens are base64 of `reftkn:01:...`.
    pattern: /(?<![A-Za-z0-9+/])(AKCp[A-Za-z0-9]{69}|cmVmdGtuOjAxOj[A-Za-z0-9]{50,60})(?![A-Za-z0-9+/=])/,
    entropy: 4,
    samples: {
      leak: () => [
        `ARTIFACTORY_API_KEY=${'AKCp'}${rand(ALNUM, 69)}`,
        `token: ${'cmVmdGtu'}OjAxOj${rand(ALNUM, 58)}`,
      ],
      ignore: [`AKCp${'x'.repeat(69)}`],
    },
  }),
  prefixed({
    id: 'age-secret-key',
    title: 'age encryption secret key',
    kind: 'private-key',
    severity: 'critical',
    keywords: ['age-secret-key-1'],
    pattern: /(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})(?![A-Z0-9])/,
    entropy: 4,
    samples: {
      leak: () => [`# created: 2026-01-01\n${'AGE-SECRET'}-KEY-1${rand(BECH32_UPPER, 58)}`],
      ignore: [`AGE-SECRET-KEY-1${'Q'.repeat(58)}`],
    },
  }),
  prefixed({
    id: 'launchdarkly-key',
    title: 'LaunchDarkly API, SDK or mobile key',
    kind: 'productivity',
    severity: 'medium',
    keywords: ['api-', 'sdk-', 'mob-'],
    pattern:
      /(?<![A-Za-z0-9_-])((?:api|sdk|mob)-[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12})(?![A-Za-z0-9_-])/,
    entropy: 3,
    samples: {
      leak: () => [
        `LD_SDK_KEY=sdk-${rand(HEX, 8)}-${rand(HEX, 4)}-${rand(HEX, 4)}-${rand(HEX, 4)}-${rand(HEX, 12)}`,
        `launchdarkly_api_key: api-${rand(HEX, 8)}-${rand(HEX, 4)}-${rand(HEX, 4)}-${rand(HEX, 4)}-${rand(HEX, 12)}`,
      ],
      ignore: ['sdk-00000000-0000-0000-0000-000000000000', 'api-version: 2024-01-01'],
    },
  }),
  prefixed({
    id: 'pulumi-access-token',
    title: 'Pulumi access token',
    keywords: ['pul-'],
    pattern: /(?<![A-Za-z0-9_-])(pul-[a-f0-9]{40})(?![A-Za-z0-9_-])/,
    entropy: 3,
    samples: { leak: () => [`PULUMI_ACCESS_TOKEN=pul-${rand(HEX, 40)}`], ignore: [`pul-${'0'.repeat(40)}`] },
  }),
  prefixed({
    id: 'dynatrace-token',
    title: 'Dynatrace API token',
    kind: 'observability',
    keywords: ['dt0c01.'],
    pattern: /(?<![A-Za-z0-9_.])(dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64})(?![A-Za-z0-9_])/,
    entropy: 4,
    samples: {
      leak: () => [`DT_API_TOKEN=dt0c01.${rand(UPPER_DIGITS, 24)}.${rand(UPPER_DIGITS, 64)}`],
      ignore: [`dt0c01.${'X'.repeat(24)}.${'X'.repeat(64)}`],
    },
  }),
  prefixed({
    id: 'sourcegraph-token',
    title: 'Sourcegraph access token',
    kind: 'vcs',
    keywords: ['sgp_'],
    pattern: /(?<![A-Za-z0-9_])(sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40})(?![A-Za-z0-9_])/,
    entropy: 3,
    samples: {
      leak: () => [`SRC_ACCESS_TOKEN=sgp_${rand(HEX, 16)}_${rand(HEX, 40)}`, `token: sgp_${rand(HEX, 40)}`],
      ignore: [`sgp_${'0'.repeat(40)}`],
    },
  }),
  prefixed({
    id: 'flyio-token',
    title: 'Fly.io access token',
    kind: 'infrastructure',
    keywords: ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'],
    pattern:
      /(?<![A-Za-z0-9_])(fo1_[A-Za-z0-9_-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,2000}={0,3}|fm2_[A-Za-z0-9+/]{100,2000}={0,3})(?![A-Za-z0-9_+/=-])/,
    entropy: 4,
    samples: {
      leak: () => [`FLY_API_TOKEN=fo1_${rand(BASE64URL, 43)}`, `FLY_API_TOKEN="fm2_${rand(BASE64, 200)}"`],
      ignore: [`fo1_${'x'.repeat(43)}`],
    },
  }),
  prefixed({
    id: 'cloudflare-origin-ca-key',
    title: 'Cloudflare Origin CA key',
    kind: 'infrastructure',
    keywords: ['v1.0-'],
    pattern: /(?<![A-Za-z0-9_.-])(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})(?![A-Za-z0-9_-])/,
    entropy: 3,
    samples: {
      leak: () => [`CF_ORIGIN_CA_KEY=v1.0-${rand(HEX, 24)}-${rand(HEX, 146)}`],
      ignore: [`v1.0-${'0'.repeat(24)}-${'0'.repeat(146)}`],
    },
  }),
  prefixed({
    id: 'mapbox-secret-token',
    title: 'Mapbox secret access token',
    kind: 'productivity',
    keywords: ['sk.eyj'],
    pattern: /(?<![A-Za-z0-9_.-])(sk\.eyJ[A-Za-z0-9_-]{20,200}\.[A-Za-z0-9_-]{20,40})(?![A-Za-z0-9_-])/,
    entropy: 4,
    samples: {
      leak: () => [
        `MAPBOX_SECRET_TOKEN=sk.eyJ1Ijoi${rand(LOWER_DIGITS, 8)}IiwiYSI6I${rand(BASE64URL, 30)}.${rand(BASE64URL, 22)}`,
      ],
      ignore: ['sk.eyJxxxxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxx'],
    },
  }),
  prefixed({
    id: 'facebook-page-access-token',
    title: 'Facebook (Meta) user or page access token',
    kind: 'productivity',
    keywords: ['eaam', 'eaac'],
    // Base64 neighbours (`+`, `/`; `=` after) are refused, so a run inside a base64 blob is not one.
    pattern: /(?<![A-Za-z0-9+/])(EAA[MC][A-Za-z0-9]{100,400})(?![A-Za-z0-9+/=])/,
    entropy: 4,
    samples: {
      leak: () => [
        `FB_PAGE_TOKEN=EAA${'M'}${rand(ALNUM, 180)}`,
        `"access_token": "EAA${'C'}${rand(ALNUM, 120)}"`,
      ],
      ignore: [`token: EAAM${'x'.repeat(120)}`],
    },
  }),
  {
    id: 'facebook-app-access-token',
    // Every match starts 15 or 16 characters (the app id) before its `|`.
    anchor: { from: -16, to: -15, first: DIGITS },
    title: 'Facebook (Meta) app access token',
    kind: 'productivity',
    severity: 'high',
    keywords: ['|', '%7c'],
    pattern: /(?<![0-9A-Za-z_-])(\d{15,16}(?:\||%7[Cc])[0-9A-Za-z_-]{27,40})(?![0-9A-Za-z_-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [
        `facebook ${'1' + rand(DIGITS, 15)}|${rand(BASE64URL, 27)}`,
        `FACEBOOK_APP_TOKEN=${'2' + rand(DIGITS, 14)}%7C${rand(BASE64URL, 32)}`,
      ],
      ignore: ['facebook 1234567890123456|your-app-secret-goes-here', 'a || b'],
    },
  },
  prefixed({
    id: 'slack-legacy-workspace-token',
    title: 'Slack legacy workspace access or refresh token',
    kind: 'chat',
    keywords: ['xoxa-', 'xoxr-'],
    pattern: /(?<![A-Za-z0-9-])(xox[ar]-(?:\d-)?[0-9A-Za-z]{8,48})(?![A-Za-z0-9-])/,
    entropy: 2.8,
    // One random segment: it must mix letters and digits, which `xoxa-yourtoken` does not.
    validate: (secret) =>
      /[0-9]/.test(secret.slice(5).replace(/^\d-/, '')) && /[A-Za-z]/.test(secret.slice(5)),
    samples: {
      leak: () => [
        `"access_token": "xox${'a'}-${rand(DIGITS, 1)}-${rand(LOWER_DIGITS, 12)}7"`,
        `refresh_token = "xox${'r'}-${rand(LOWER_DIGITS, 10)}4q"`,
      ],
      ignore: [`${'xox'}a-yourtoken`, `${'xox'}r-refreshtokenhere`],
    },
  }),
];
