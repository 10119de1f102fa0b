import type { Rule } from '../rule';
import { BASE32, BASE64, BASE64URL, HEX, LOWER_DIGITS, ALNUM, rand, pick } from '../sample-kit';
import { mixesClasses } from '../checks';
import { crc32 } from '../checksums';

const akid = () => pick(['AK' + 'IA', 'AS' + 'IA']) + rand(BASE32, 16);
const awsSecret = () => rand(BASE64, 40);
const uuid = () => [8, 4, 4, 4, 12].map((n) => rand(HEX, n)).join('-');

const FIREBASE_SDK_EXAMPLE_KEYS = new Set([
  0x3627aa84, 0x94bb94f9, 0xffddd189, 0x6159ac90, 0x7aa120d5, 0x6a4f7820, 0xfbc47221, 0x08394327, 0xafe8ff3e,
  0x6b66e8a8, 0x5c298136, 0x1f358cbe, 0x6b9463f8, 0x202f468f, 0x3c5d7fda,
]);

/** Cloud providers: AWS, Google Cloud, Azure, DigitalOcean, Heroku, HashiCorp. */
export const CLOUD_RULES: Rule[] = [
  {
    id: 'aws-access-key-id',
    anchor: { from: 0, to: 0 },
    title: 'AWS access key id',
    kind: 'cloud',
    severity: 'high',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    pattern: /(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [
        `AWS_ACCESS_KEY_ID=${akid()}`,
        `"AccessKeyId": "${akid()}"`,
        `aws_access_key_id = ${akid()}`,
      ],
      ignore: [`aws_access_key_id = ${'AKIA'}IOSFODNN7EXAMPLE`, `${'AKIA'}${'X'.repeat(16)}`, 'AKIAFOO'],
    },
  },
  {
    id: 'aws-secret-access-key',
    anchor: { from: -4, to: 0, first: 'aAsS' },
    title: 'AWS secret access key',
    kind: 'cloud',
    severity: 'critical',
    keywords: ['secret'],
    pattern:
      /(?:aws[_.-]?)?secret[_.-]?(?:access[_.-]?)?key["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
    secretGroup: 1,
    entropy: 4,
    validate: mixesClasses(3),
    samples: {
      leak: () => [
        `aws_secret_access_key = ${awsSecret()}`,
        `AWS_SECRET_ACCESS_KEY="${awsSecret()}"`,
        `"SecretAccessKey": "${awsSecret()}",`,
        `  secretAccessKey: '${awsSecret()}'`,
      ],
      ignore: [
        `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY${'EXAMPLEKEY'}`,
        'aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}',
        `secret_key = "${'0123456789abcdef'.repeat(2)}01234567"`,
      ],
    },
  },
  {
    id: 'aws-secret-access-key-near-id',
    anchor: { from: 0, to: 0 },
    title: 'AWS secret access key (next to its key id)',
    kind: 'cloud',
    severity: 'critical',
    keywords: ['akia', 'asia'],
    pattern:
      /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9])[\s\S]{1,160}?(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/,
    secretGroup: 1,
    entropy: 4,
    validate: mixesClasses(3),
    samples: {
      leak: () => [
        `${akid()}:${awsSecret()}`,
        `aws configure set ${akid()} ${awsSecret()}`,
        `key=${akid()}\nsecret=${awsSecret()}`,
      ],
      ignore: [`${'AKIA'}IOSFODNN7EXAMPLE commit ${rand(HEX, 40)}`],
    },
  },
  {
    id: 'aws-session-token',
    anchor: { from: -4, to: 0, first: 'aAsS' },
    title: 'AWS session token',
    kind: 'cloud',
    severity: 'high',
    keywords: ['session_token', 'sessiontoken', 'session-token', 'session.token'],
    pattern:
      /(?:aws[_.-]?)?session[_.-]?token["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([A-Za-z0-9/+=]{100,1500})(?![A-Za-z0-9/+=])/i,
    secretGroup: 1,
    entropy: 4.5,
    samples: {
      leak: () => [
        `aws_session_token = IQoJb3JpZ2luX2Vj${rand(BASE64, 300)}`,
        `"SessionToken": "FwoGZXIvYXdzE${rand(BASE64, 200)}"`,
      ],
      ignore: ['aws_session_token = ${AWS_SESSION_TOKEN}'],
    },
  },
  {
    id: 'gcp-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Google Cloud API key',
    kind: 'cloud',
    severity: 'high',
    keywords: ['aiza'],
    pattern: /(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3.5,
    // The example keys the Firebase Android SDK ships in its sources and samples (public, restricted to the
    // SDK's test projects), known by their CRC-32 so the repository holds no key-shaped literal.
    allow: [(secret) => FIREBASE_SDK_EXAMPLE_KEYS.has(crc32(secret))],
    samples: {
      leak: () => [
        `GOOGLE_API_KEY=${'AI' + 'za'}${rand(BASE64URL, 35)}`,
        `<string name="google_api_key">${'AI' + 'za'}${rand(BASE64URL, 35)}</string>`,
      ],
      ignore: [`key=${'AIza'}${'x'.repeat(35)}`, `${'AIza'}SyD-EXAMPLE-not-a-key`],
    },
  },
  {
    id: 'gcp-service-account-key',
    title: 'Google Cloud service account key',
    kind: 'cloud',
    severity: 'critical',
    priority: 8,
    keywords: ['gserviceaccount'],
    pattern:
      /"private_key"\s{0,4}:\s{0,4}"(-{5}BEGIN PRIVATE KEY-{5}\\n[A-Za-z0-9+/=\\]{64,6000}-{5}END PRIVATE KEY-{5}(?:\\n)?)"\s{0,4},[\s\S]{0,300}?"client_email"\s{0,4}:\s{0,4}"[^"\s@]{1,100}@[a-z0-9.-]{1,100}\.gserviceaccount\.com"/,
    secretGroup: 1,
    samples: {
      leak: () => [serviceAccountJson()],
      ignore: [
        '{"type": "service_account", "private_key": "", "client_email": "svc@proj.iam.gserviceaccount.com"}',
      ],
    },
  },
  {
    id: 'azure-storage-account-key',
    anchor: { from: 0, to: 0 },
    title: 'Azure storage account key',
    kind: 'cloud',
    severity: 'critical',
    keywords: ['accountkey'],
    pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/i,
    secretGroup: 1,
    entropy: 4.5,
    // The Azurite emulator's well-known development key is public.
    allow: [/^Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq\/K1SZFPTOtr\/KBHBeksoGMGw==$/],
    samples: {
      leak: () => [
        `DefaultEndpointsProtocol=https;AccountName=${rand(LOWER_DIGITS, 12)};AccountKey=${rand(BASE64, 86)}==;EndpointSuffix=core.windows.net`,
      ],
      ignore: [
        'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;',
      ],
    },
  },
  {
    id: 'azure-storage-key-assignment',
    anchor: { from: 0, to: 0 },
    title: 'Azure storage account key (assigned by name)',
    kind: 'cloud',
    severity: 'critical',
    // The name's `account`/`storage` starts every match; the value is always 64 bytes of base64 (86 + `==`).
    keywords: [
      'accountkey',
      'account_key',
      'account-key',
      'account.key',
      'storagekey',
      'storage_key',
      'storage-key',
      'storage.key',
    ],
    pattern:
      /(?:account|storage)[_.-]?key["'\]]?\s{0,20}(?:=>|[:=,{]|\s)\s{0,20}["'`]?([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/i,
    secretGroup: 1,
    entropy: 4.5,
    allow: [/^Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq\/K1SZFPTOtr\/KBHBeksoGMGw==$/],
    samples: {
      leak: () => [
        `    private const string storageAccountKey = "${rand(BASE64, 86)}==";`,
        `  { "AccountKey", "${rand(BASE64, 86)}==" },`,
        `        account_key: '${rand(BASE64, 86)}=='`,
        `public static final String DEFAULT_ACCOUNT_KEY\n            = "${rand(BASE64, 86)}==";`,
        `AzureStorageCleanup.exe -storagename acct -storagekey ${rand(BASE64, 86)}== -container backups`,
      ],
      ignore: [
        'account_key: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="',
        'account_key = ${AZURE_STORAGE_KEY}',
      ],
    },
  },
  {
    id: 'azure-sas-signature',
    title: 'Azure shared access signature',
    kind: 'cloud',
    severity: 'high',
    keywords: ['sig='],
    pattern: /[?&;]sv=\d{4}-\d{2}-\d{2}[^\s"'<>]{0,400}?[?&;]sig=([A-Za-z0-9%+/]{43,90})/,
    secretGroup: 1,
    validate: (secret) => /^[A-Za-z0-9+/]{43}=$/.test(safeDecodeUri(secret)),
    samples: {
      leak: () => [
        `https://${rand(LOWER_DIGITS, 10)}.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig=${encodeURIComponent(rand(BASE64, 43) + '=')}`,
      ],
      ignore: ['https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=<signature>'],
    },
  },
  {
    id: 'azure-service-bus-key',
    anchor: { from: 0, to: 0 },
    title: 'Azure shared access key (Service Bus, Event Hubs, IoT Hub)',
    kind: 'cloud',
    severity: 'critical',
    keywords: ['sharedaccesskey='],
    pattern: /SharedAccessKey=([A-Za-z0-9+/]{42,43}=)/i,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `Endpoint=sb://${rand(LOWER_DIGITS, 8)}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${rand(BASE64, 43)}=`,
      ],
      ignore: ['SharedAccessKey=<key>'],
    },
  },
  {
    id: 'azure-ad-client-secret',
    anchor: { from: -4, to: -4 },
    title: 'Azure AD (Entra ID) client secret',
    kind: 'cloud',
    severity: 'critical',
    keywords: ['q~'],
    pattern: /(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [
        `AZURE_CLIENT_SECRET=${rand(ALNUM, 3)}8Q~${rand(ALNUM + '_~.-', 34)}`,
        `"clientSecret": "${rand(ALNUM, 3)}7Q~${rand(ALNUM, 31)}"`,
      ],
      ignore: ['client_secret = "abc8Q~"'],
    },
  },
  {
    id: 'digitalocean-token',
    anchor: { from: 0, to: 0 },
    title: 'DigitalOcean token',
    kind: 'cloud',
    severity: 'critical',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: /(?<![A-Za-z0-9_])(do[opr]_v1_[a-f0-9]{64})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`DIGITALOCEAN_TOKEN=${'dop'}_v1_${rand(HEX, 64)}`, `token: ${'doo'}_v1_${rand(HEX, 64)}`],
      ignore: [`${'dop'}_v1_${'0'.repeat(64)}`],
    },
  },
  {
    id: 'heroku-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Heroku API key',
    kind: 'cloud',
    severity: 'high',
    keywords: ['hrku-'],
    pattern: /(?<![A-Za-z0-9_-])(HRKU-AA[0-9a-zA-Z_-]{58})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`HEROKU_API_KEY=${'HRKU'}-AA${rand(BASE64URL, 58)}`],
      ignore: ['HRKU-AA'],
    },
  },
  {
    id: 'heroku-api-key-legacy',
    anchor: { from: 0, to: 0 },
    title: 'Heroku API key (UUID form)',
    kind: 'cloud',
    severity: 'high',
    keywords: ['heroku'],
    pattern:
      /heroku[\w.-]{0,20}(?:key|token|secret|password)["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![0-9a-f-])/i,
    secretGroup: 1,
    samples: {
      leak: () => [`HEROKU_API_KEY=${uuid()}`, `heroku_api_token: "${uuid()}"`],
      ignore: ['HEROKU_APP_ID=01234567-89ab-cdef-0123-456789abcdef'],
    },
  },
  {
    id: 'hashicorp-vault-token',
    anchor: { from: 0, to: 0 },
    title: 'HashiCorp Vault token',
    kind: 'infrastructure',
    severity: 'critical',
    keywords: ['hvs.', 'hvb.', 'hvr.'],
    pattern: /(?<![A-Za-z0-9_.-])(hv[sbr]\.[A-Za-z0-9_-]{24,250})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [`VAULT_TOKEN=${'hvs'}.${rand(BASE64URL, 95)}`, `token: ${'hvb'}.${rand(BASE64URL, 138)}`],
      ignore: ['VAULT_TOKEN=hvs.XXXX'],
    },
  },
  {
    id: 'hashicorp-vault-token-legacy',
    anchor: { from: 0, to: 0 },
    title: 'HashiCorp Vault token (legacy s. form)',
    kind: 'infrastructure',
    severity: 'high',
    keywords: ['vault'],
    pattern:
      /vault[\w.-]{0,20}token["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?(s\.[A-Za-z0-9]{24})(?![A-Za-z0-9])/i,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`VAULT_TOKEN=s.${rand(ALNUM, 24)}`, `vault_token: "s.${rand(ALNUM, 24)}"`],
      ignore: ['VAULT_TOKEN=s.xxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'terraform-cloud-token',
    anchor: { from: -15, to: -15 },
    title: 'Terraform Cloud / Enterprise API token',
    kind: 'infrastructure',
    severity: 'critical',
    keywords: ['atlasv1'],
    pattern: /(?<![A-Za-z0-9])([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?![A-Za-z0-9_=-])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `credentials "app.terraform.io" { token = "${rand(ALNUM, 14)}.${'atlas'}v1.${rand(BASE64URL, 67)}" }`,
      ],
      ignore: ['token = "xxxxxxxxxxxxxx.atlasv1.xxxxxxxx"'],
    },
  },
];

function safeDecodeUri(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function serviceAccountJson(): string {
  const body = rand(BASE64, 1600)
    .match(/.{1,64}/g)!
    .join('\\n');
  const dashes = '-'.repeat(5);
  const key = `${dashes}BEGIN PRIVATE KEY${dashes}\\n${body}\\n${dashes}END PRIVATE KEY${dashes}\\n`;
  return [
    '{',
    '  "type": "service_account",',
    `  "project_id": "proj-${rand(LOWER_DIGITS, 6)}",`,
    `  "private_key_id": "${rand(HEX, 40)}",`,
    `  "private_key": "${key}",`,
    `  "client_email": "deployer@proj-${rand(LOWER_DIGITS, 6)}.iam.gserviceaccount.com",`,
    `  "client_id": "${rand('0123456789', 21)}"`,
    '}',
  ].join('\n');
}
