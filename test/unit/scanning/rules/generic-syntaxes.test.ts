import { createDetector } from '../../../../core/scanning/detect';
import {
  ALNUM,
  BASE64URL,
  HEX,
  LOWER_DIGITS,
  b64,
  password,
  rand,
  resetSampleSeed,
} from '../../../../core/scanning/rules/sample-kit';

// The assignment syntaxes other scanners' corpora use (issue 5's evaluation), each one a finding, and the
// look-alikes next to them that are not.
describe('generic assignments across syntaxes', () => {
  const detector = createDetector();
  const ruleIds = (text: string) =>
    detector.scanText(text, { path: 'src/settings.txt' }).map((f) => f.ruleId);
  beforeAll(() => resetSampleSeed(31));

  it.each([
    ['Go typed var', () => `var deployToken string = "${rand(ALNUM, 32)}"`],
    ['TypeScript annotation', () => `const apiToken: string = '${rand(BASE64URL, 40)}';`],
    ['PHP .=', () => `$authToken .= "${rand(HEX, 40)}";`],
    ['make ?=', () => `UPLOAD_TOKEN ?= "${rand(ALNUM, 36)}"`],
    ['make ::=', () => `UPLOAD_TOKEN ::= "${rand(ALNUM, 36)}"`],
    ['make :::=', () => `UPLOAD_TOKEN :::= "${rand(ALNUM, 36)}"`],
    ['XML element on its own lines', () => `<accessToken>\n    ${rand(BASE64URL, 40)}\n</accessToken>`],
    ['a token with = inside', () => `OKTA_TOKEN=${rand(ALNUM, 14)}=${rand(ALNUM, 20)}`],
    ['an upper-case joined name', () => `SMTPPASS=${password(16)}`],
    ['a vendor key name', () => `AZURE_OPENAI_KEY=${rand(HEX, 32)}`],
    ['a camelCase vendor key', () => `  "mapsKey": "${rand(BASE64URL, 39)}",`],
    ['a long random number', () => `discord_client_secret = "${rand('0123456789', 32)}"`],
    [
      'a lowercase token with an underscore',
      () => `netlify_token: "${rand(LOWER_DIGITS, 30)}_${rand(LOWER_DIGITS, 15)}"`,
    ],
    [
      'curl -u after a line continuation',
      () =>
        `curl -X PUT https://nexus.internal/a.tgz \\\n  --upload-file a.tgz \\\n  -u deploy:${password(14)}`,
    ],
  ])('finds a secret in %s', (_name, make) => {
    expect(ruleIds(make()).length).toBeGreaterThan(0);
  });

  it.each([
    ['a primary key', () => `primaryKey=${rand(ALNUM, 30)}`],
    [
      'an idempotency key',
      () =>
        `idempotencyKey: "${rand(HEX, 8)}-${rand(HEX, 4)}-${rand(HEX, 4)}-${rand(HEX, 4)}-${rand(HEX, 12)}"`,
    ],
    ['a public token', () => `publicToken = "${rand(ALNUM, 43)}"`],
    ['a translation key', () => 'i18nKey: "settings.account.deleteButtonLabel"'],
    ['a KMS alias', () => 'KMS_KEY=alias/orders-prod-encryption'],
    ['an artifact with its version', () => 'notes = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"'],
    ['a plural name', () => 'keyVaultToStoreSecrets: kv-orders-prod-0042'],
    ['minified chained assignment', () => 'n.token=e.token=t;'],
    ['BYPASS', () => 'BYPASS=internal-proxy-01'],
    ['base64 of a placeholder', () => `password: ${b64('changeme')}`],
    [
      'the first pair of a query string',
      () => 'SAS_TOKEN=st=2025-03-04T07:24:52Z&se=2025-04-04T15:24:52Z&sr=c',
    ],
  ])('finds nothing in %s', (_name, make) => {
    expect(ruleIds(make())).toEqual([]);
  });
});
