import type { Rule } from '../rule';
import { decodeBase64 } from '../checks';
import { crc32 } from '../checksums';
import { shannonEntropy } from '../entropy';
import { ALNUM, BASE64URL, DIGITS, HEX, LOWER_DIGITS, b64url, rand } from '../sample-kit';

const slack = (kind: string) => `xo${'x'}${kind}-`;

/** Chat, email, payments, commerce, AI, observability and productivity SaaS. */
export const SERVICE_RULES: Rule[] = [
  {
    id: 'slack-bot-token',
    anchor: { from: 0, to: 0 },
    title: 'Slack bot token',
    kind: 'chat',
    severity: 'critical',
    keywords: ['xoxb'],
    pattern: /(?<![A-Za-z0-9-])(xo[x]b-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34})(?![A-Za-z0-9])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`SLACK_BOT_TOKEN=${slack('b')}${rand(DIGITS, 12)}-${rand(DIGITS, 13)}-${rand(ALNUM, 24)}`],
      ignore: [`${slack('b')}0000000000-0000000000-${'x'.repeat(24)}`],
    },
  },
  {
    id: 'slack-user-token',
    anchor: { from: 0, to: 0 },
    title: 'Slack user or legacy token',
    kind: 'chat',
    severity: 'critical',
    keywords: ['xoxp', 'xoxa', 'xoxr', 'xoxs', 'xoxo', 'xoxe'],
    pattern:
      /(?<![A-Za-z0-9-])(xox[pears]-[0-9]{10,13}-[0-9]{10,13}(?:-[0-9]{10,13})?-[A-Za-z0-9]{24,64})(?![A-Za-z0-9])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [
        `token: ${slack('p')}${rand(DIGITS, 12)}-${rand(DIGITS, 12)}-${rand(DIGITS, 13)}-${rand(HEX, 32)}`,
      ],
      ignore: [`${slack('p')}1234`],
    },
  },
  {
    id: 'slack-app-token',
    anchor: { from: 0, to: 0 },
    title: 'Slack app-level token',
    kind: 'chat',
    severity: 'high',
    keywords: ['xapp'],
    pattern: /(?<![A-Za-z0-9-])(xapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-z0-9]{64})(?![A-Za-z0-9])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [
        `SLACK_APP_TOKEN=${'xa'}pp-1-A${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}-${rand(DIGITS, 13)}-${rand(HEX, 64)}`,
      ],
      ignore: ['xapp-1-XXXX'],
    },
  },
  {
    id: 'slack-legacy-token',
    anchor: { from: 0, to: 0 },
    title: 'Slack legacy bot, workspace or user token',
    kind: 'chat',
    severity: 'high',
    keywords: ['xoxb', 'xoxa', 'xoxp', 'xoxr', 'xoxs', 'xoxo', 'xoxe'],
    // Older tokens: a team or user number (maybe after a one-digit version), up to three more segments, and a
    // last segment of eight or more. The numeric segment keeps `xoxb-` plus words (your-bot-token) out.
    pattern:
      /(?<![A-Za-z0-9-])(xox[abeoprs]-(?:\d-)?\d{5,14}(?:-[0-9A-Za-z]{1,64}){0,3}-[0-9A-Za-z]{8,150})(?![A-Za-z0-9-])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [
        `slack_token = "${slack('b')}${rand(DIGITS, 12)}-${rand(ALNUM, 24)}"`,
        `token: ${slack('s')}${rand(DIGITS, 12)}-${rand(DIGITS, 9)}-${rand(DIGITS, 10)}-${rand(HEX, 10)}`,
        `SLACK_TOKEN=${slack('a')}2-${rand(DIGITS, 9)}-${rand(DIGITS, 11)}-${rand(DIGITS, 13)}-${rand(HEX, 18)}`,
      ],
      ignore: [
        `${slack('b')}12345-abcd234`,
        `${slack('b')}${'xox'}b-my-bot-token`,
        'see 2018-250-xoxo-indieweb-1.jpg',
      ],
    },
  },
  {
    id: 'slack-config-token',
    anchor: { from: 0, to: 0 },
    title: 'Slack app configuration access or refresh token',
    kind: 'chat',
    severity: 'high',
    keywords: ['xoxe'],
    pattern: /(?<![A-Za-z0-9.-])(xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{146,166})(?![A-Za-z0-9])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `SLACK_CONFIG_REFRESH_TOKEN=${'xoxe'}-1-${rand(ALNUM, 146)}`,
        `"access_token": "${'xoxe'}.${slack('p')}1-${rand(ALNUM, 163)}"`,
      ],
      ignore: [`xoxe.${'xox'}p-1-SlackAppConfigurationAccessTokenHere`, 'xoxe-1-xxx'],
    },
  },
  {
    id: 'slack-webhook',
    anchor: { from: -8, to: 0, first: 'h' },
    title: 'Slack incoming webhook',
    kind: 'chat',
    severity: 'high',
    keywords: ['hooks.slack.com'],
    pattern:
      /((?:https?:\/\/)?(?<![A-Za-z0-9.-])hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{8,12}\/[AB][A-Z0-9]{6,12}\/[A-Za-z0-9]{20,34})(?![A-Za-z0-9])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [
        `SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T${rand('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 8)}/B${rand('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/${rand(ALNUM, 24)}`,
        `url: "http://hooks.slack.com/services/T${rand('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 8)}/B${rand('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 7)}/${rand(ALNUM, 24)}"`,
        `hooks.slack.com/workflows/T${rand('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/A${rand('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/${rand(ALNUM, 24)}`,
      ],
      ignore: ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
    },
  },
  {
    id: 'discord-bot-token',
    // Every match starts at its keyword (the id's first two base64 characters): one try per occurrence
    // instead of a search of the whole window (its keywords occur in nearly every window).
    anchor: { from: 0, to: 0 },
    title: 'Discord bot token',
    kind: 'chat',
    severity: 'critical',
    // The first part is the bot's numeric id in base64, so it starts with one of these pairs.
    keywords: ['md', 'mt', 'mj', 'mz', 'nd', 'nt', 'nj', 'nz', 'od', 'ot'],
    pattern:
      /(?<![A-Za-z0-9_.-])([MNO][DTjz][A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_.-])/,
    secretGroup: 1,
    entropy: 4,
    // The first part is the bot's id in base64; generated look-alikes that do not decode count when random.
    validate: (secret) =>
      /^\d{17,20}$/.test(decodeBase64(secret.split('.')[0]!) ?? '') ||
      (shannonEntropy(secret) >= 4.5 && /[0-9]/.test(secret) && /[a-z]/.test(secret) && /[A-Z]/.test(secret)),
    samples: {
      leak: () => [
        `DISCORD_TOKEN=${b64url(rand('123456789', 1) + rand(DIGITS, 17))}.${rand(BASE64URL, 6)}.${rand(BASE64URL, 38)}`,
        `client.run("${b64url(rand('123456789', 1) + rand(DIGITS, 18))}.${rand(BASE64URL, 6)}.${rand(BASE64URL, 27)}")`,
      ],
      ignore: ['DISCORD_TOKEN=your-discord-bot-token', `MTIz${'x'.repeat(20)}.abcdef.${'y'.repeat(27)}`],
    },
  },
  {
    id: 'discord-webhook',
    anchor: { from: -15, to: -8, first: 'h' },
    title: 'Discord webhook',
    kind: 'chat',
    severity: 'medium',
    keywords: ['discord'],
    pattern:
      /(https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,68})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`url: https://discord.com/api/webhooks/${rand(DIGITS, 18)}/${rand(BASE64URL, 68)}`],
      ignore: ['https://discord.com/api/webhooks/{id}/{token}'],
    },
  },
  {
    id: 'telegram-bot-token',
    anchor: { from: -10, to: -8, first: '0123456789' },
    title: 'Telegram bot token',
    kind: 'chat',
    severity: 'high',
    keywords: [':aa'],
    pattern: /(?<![0-9:])([0-9]{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3.5,
    // The example token of Telegram's Bot API documentation, known by its CRC-32.
    allow: [(secret) => crc32(secret) === 0x7a354ba1],
    samples: {
      leak: () => [
        `TELEGRAM_BOT_TOKEN=${rand('123456789', 1)}${rand(DIGITS, 9)}:AA${rand(BASE64URL, 33)}`,
        `https://api.telegram.org/bot${rand(DIGITS, 10)}:AA${rand(BASE64URL, 33)}/getMe`,
      ],
      ignore: ['TELEGRAM_BOT_TOKEN=123456789:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'microsoft-teams-webhook',
    anchor: { from: -73, to: -10, first: 'h' },
    title: 'Microsoft Teams incoming webhook',
    kind: 'chat',
    severity: 'medium',
    keywords: ['webhook.office.com'],
    pattern:
      /(https:\/\/[a-z0-9-]{1,64}\.webhook\.office\.com\/webhookb2\/[a-f0-9-]{36}@[a-f0-9-]{36}\/IncomingWebhook\/[a-f0-9]{32}\/[a-f0-9-]{36}(?:\/[A-Za-z0-9_-]{0,60})?)/,
    secretGroup: 1,
    samples: {
      leak: () => [
        `https://contoso.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${rand(HEX, 32)}/${uuid()}`,
      ],
      ignore: ['https://contoso.webhook.office.com/webhookb2/<id>'],
    },
  },
  {
    id: 'teams-workflow-webhook',
    title: 'Microsoft Teams / Power Automate / Logic Apps workflow webhook (signed URL)',
    kind: 'chat',
    severity: 'medium',
    keywords: ['logic.azure.com', 'powerplatform.com'],
    // The replacement of Office 365 connectors: the URL's `sig` lets anyone post to the channel.
    pattern:
      /https:\/\/[A-Za-z0-9.-]{1,200}\.(?:logic\.azure\.com|powerplatform\.com)(?::443)?\/[^\s"'<>]{0,400}?[?&]sig=([A-Za-z0-9_%-]{40,90})/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `TEAMS_WEBHOOK=https://prod-${rand(DIGITS, 2)}.westeurope.logic.azure.com:443/workflows/${rand(HEX, 32)}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${rand(BASE64URL, 43)}`,
        `url: https://default${rand(HEX, 30)}.62.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/${rand(HEX, 32)}/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${rand(BASE64URL, 43)}`,
      ],
      ignore: [
        'https://prod-00.westeurope.logic.azure.com:443/workflows/<id>/triggers/manual/paths/invoke?sig=<sig>',
      ],
    },
  },
  {
    id: 'twilio-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Twilio API key or auth token',
    kind: 'chat',
    severity: 'high',
    keywords: ['twilio'],
    pattern: /twilio[\w.-]{0,24}["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?((?:SK)?[a-f0-9]{32})(?![A-Za-z0-9])/i,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`TWILIO_AUTH_TOKEN=${rand(HEX, 32)}`, `twilio_api_key: "SK${rand(HEX, 32)}"`],
      ignore: ['TWILIO_ACCOUNT_SID=ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'twilio-api-key-sid',
    anchor: { from: 0, to: 0 },
    title: 'Twilio API key SID',
    kind: 'chat',
    severity: 'medium',
    keywords: ['sk'],
    pattern: /(?<![A-Za-z0-9_-])(SK[0-9a-f]{32})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3,
    samples: { leak: () => [`api_key_sid: ${'S'}K${rand(HEX, 32)}`], ignore: [`SK${'0'.repeat(32)}`] },
  },
  {
    id: 'sendgrid-api-key',
    anchor: { from: 0, to: 0 },
    title: 'SendGrid API key',
    kind: 'email',
    severity: 'high',
    keywords: ['sg.'],
    pattern:
      /(?<![A-Za-z0-9_.-])(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}|SG\.[A-Za-z0-9_=-]{66})(?![A-Za-z0-9_=.-])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `SENDGRID_API_KEY=${'S'}G.${rand(BASE64URL, 22)}.${rand(BASE64URL, 43)}`,
        `sendgrid_key: ${'S'}G.${rand(BASE64URL, 66)}`,
      ],
      ignore: [`SG.${'x'.repeat(22)}.${'x'.repeat(43)}`],
    },
  },
  {
    id: 'mailgun-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Mailgun API key',
    kind: 'email',
    severity: 'high',
    keywords: ['key-'],
    pattern: /(?<![A-Za-z0-9_-])(key-[a-f0-9]{32})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`MAILGUN_API_KEY=key-${rand(HEX, 32)}`],
      ignore: ['api_key: key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'mailgun-api-key-new',
    anchor: { from: 0, to: 0 },
    title: 'Mailgun API key (current form)',
    kind: 'email',
    severity: 'high',
    keywords: ['mailgun'],
    pattern:
      /mailgun[\w.-]{0,20}["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8})(?![A-Za-z0-9_-])/i,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`MAILGUN_API_KEY=${rand(HEX, 32)}-${rand(HEX, 8)}-${rand(HEX, 8)}`],
      ignore: ['MAILGUN_DOMAIN=mg.example.com'],
    },
  },
  {
    id: 'mailchimp-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Mailchimp API key',
    kind: 'email',
    severity: 'high',
    keywords: ['-us'],
    // Anchored on `-us<n>` (a literal V8 can search for); the key itself is captured in the lookbehind.
    pattern: /(?<=(?<![A-Za-z0-9_-])([a-f0-9]{32}))-us[0-9]{1,2}(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`MAILCHIMP_API_KEY=${rand(HEX, 32)}-us${rand('123456789', 1)}${rand(DIGITS, 1)}`],
      ignore: [`${'0'.repeat(32)}-us1`],
    },
  },
  {
    id: 'stripe-secret-key',
    anchor: { from: 0, to: 0 },
    title: 'Stripe live secret or restricted key',
    kind: 'payment',
    severity: 'critical',
    keywords: ['sk_live_', 'rk_live_'],
    pattern: /(?<![A-Za-z0-9_])([sr]k_live_[A-Za-z0-9]{24,247})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [
        `STRIPE_SECRET_KEY=${'sk'}_live_${rand(ALNUM, 24)}`,
        `stripe.api_key = "${'rk'}_live_${rand(ALNUM, 99)}"`,
      ],
      ignore: ['STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'],
    },
  },
  {
    id: 'stripe-test-key',
    anchor: { from: 0, to: 0 },
    title: 'Stripe test-mode secret or restricted key',
    kind: 'payment',
    // Test mode moves no money, but the key reads and writes the account's test data and webhooks.
    severity: 'low',
    keywords: ['sk_test_', 'rk_test_', 'sk_prod_', 'rk_prod_'],
    pattern: /(?<![A-Za-z0-9_])([sr]k_(?:test|prod)_[A-Za-z0-9]{24,247})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 3.5,
    // Stripe's documentation keys, quoted in every tutorial.
    allow: [/^sk_test_(?:4eC39HqLyjWDarjtT1zdp7dc|BQokikJOvBiI2HlWgH4olfQ2|26PHem9AhJZvU623DfE1x4sd)$/],
    samples: {
      leak: () => [
        `STRIPE_SECRET_KEY=${'sk'}_test_${rand(ALNUM, 24)}`,
        `stripeKey := "${'rk'}_test_${rand(ALNUM, 99)}"`,
      ],
      ignore: ['stripe.api_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"', `sk_test_${'x'.repeat(24)}`],
    },
  },
  {
    id: 'stripe-webhook-secret',
    anchor: { from: 0, to: 0 },
    title: 'Stripe webhook signing secret',
    kind: 'payment',
    severity: 'high',
    keywords: ['whsec_'],
    pattern: /(?<![A-Za-z0-9_])(whsec_[A-Za-z0-9+/]{32,64})(?![A-Za-z0-9_+/])/,
    secretGroup: 1,
    entropy: 4,
    samples: { leak: () => [`STRIPE_WEBHOOK_SECRET=${'whsec'}_${rand(ALNUM, 32)}`], ignore: ['whsec_...'] },
  },
  {
    id: 'square-token',
    anchor: { from: 0, to: 0 },
    title: 'Square access token or OAuth secret',
    kind: 'payment',
    severity: 'critical',
    keywords: ['sq0atp-', 'sq0csp-', 'eaaa'],
    pattern:
      /(?<![A-Za-z0-9_-])(sq0atp-[0-9A-Za-z_-]{22,60}|sq0csp-[0-9A-Za-z_-]{43}|EAAA[0-9A-Za-z_-]{60})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [
        `SQUARE_ACCESS_TOKEN=${'sq0atp'}-${rand(BASE64URL, 22)}`,
        `square_secret: ${'sq0csp'}-${rand(BASE64URL, 43)}`,
        `SQUARE_ACCESS_TOKEN=${'EA'}AA${rand(BASE64URL, 60)}`,
      ],
      ignore: ['sq0atp-XXXXXXXXXXXXXXXXXXXXXX'],
    },
  },
  {
    id: 'braintree-access-token',
    anchor: { from: 0, to: 0 },
    title: 'PayPal Braintree access token',
    kind: 'payment',
    severity: 'critical',
    keywords: ['access_token$production$'],
    pattern: /(access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})(?![A-Za-z0-9])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`BT_TOKEN=access_token$production$${rand(LOWER_DIGITS, 16)}$${rand(HEX, 32)}`],
      ignore: ['access_token$production$'],
    },
  },
  {
    id: 'paypal-client-secret',
    anchor: { from: 0, to: 0 },
    title: 'PayPal client secret',
    kind: 'payment',
    severity: 'high',
    keywords: ['paypal'],
    pattern:
      /paypal[\w.-]{0,20}secret["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([A-Za-z0-9_-]{80})(?![A-Za-z0-9_-])/i,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [`PAYPAL_CLIENT_SECRET=E${rand(BASE64URL, 79)}`],
      ignore: ['PAYPAL_CLIENT_SECRET=${PAYPAL_SECRET}'],
    },
  },
  {
    id: 'shopify-token',
    anchor: { from: 0, to: 0 },
    title: 'Shopify access token or shared secret',
    kind: 'commerce',
    severity: 'critical',
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    pattern: /(?<![A-Za-z0-9_])(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`SHOPIFY_ACCESS_TOKEN=${'shpat'}_${rand(HEX, 32)}`],
      ignore: [`shpat_${'0'.repeat(32)}`],
    },
  },
  {
    id: 'openai-api-key',
    anchor: { from: -23, to: 0, first: 's' },
    title: 'OpenAI API key',
    kind: 'ai',
    severity: 'critical',
    keywords: ['t3blbkfj', 'sk-proj-', 'sk-svcacct-', 'sk-admin-'],
    pattern:
      /(?<![A-Za-z0-9_-])(sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `OPENAI_API_KEY=sk-${rand(ALNUM, 20)}${'T3Blbk'}FJ${rand(ALNUM, 20)}`,
        `openai.api_key = "sk-${'proj'}-${rand(BASE64URL, 74)}T3BlbkFJ${rand(BASE64URL, 74)}"`,
      ],
      ignore: ['OPENAI_API_KEY=sk-...', 'OPENAI_API_KEY=sk-proj-your-key-here'],
    },
  },
  {
    id: 'anthropic-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Anthropic API key',
    kind: 'ai',
    severity: 'critical',
    keywords: ['sk-ant-'],
    pattern: /(?<![A-Za-z0-9_-])(sk-ant-(?:api|admin|oat|sid)\d{2}-[A-Za-z0-9_-]{80,120})(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [`ANTHROPIC_API_KEY=sk-${'ant'}-api03-${rand(BASE64URL, 93)}AA`],
      ignore: ['ANTHROPIC_API_KEY=sk-ant-...'],
    },
  },
  {
    id: 'huggingface-token',
    anchor: { from: 0, to: 0 },
    title: 'Hugging Face access token',
    kind: 'ai',
    severity: 'high',
    keywords: ['hf_', 'api_org_'],
    pattern: /(?<![A-Za-z0-9_])(hf_[A-Za-z]{34}|api_org_[A-Za-z]{34})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `HF_TOKEN=${'hf'}_${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34)}`,
        `huggingface_token = "${'api'}_org_${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34)}"`,
      ],
      ignore: ['hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'datadog-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Datadog API or application key',
    kind: 'observability',
    severity: 'high',
    // Every match starts with `datadog` or `dd` (`dd.client_key`, `ddtoken` too): the keywords the anchor needs.
    keywords: ['datadog', 'dd'],
    pattern:
      /(?:datadog|dd)[_.-]?(?:api|app|application|client)?[_.-]?(?:key|token)["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}["']?([a-f0-9]{32}|[a-f0-9]{40}|pub[a-f0-9]{32})(?![A-Za-z0-9])/i,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`DD_API_KEY=${rand(HEX, 32)}`, `datadog_app_key: "${rand(HEX, 40)}"`],
      ignore: ['DD_API_KEY=<DATADOG_API_KEY>', `DD_API_KEY=${'0'.repeat(32)}`],
    },
  },
  {
    id: 'new-relic-key',
    anchor: { from: -36, to: 0, first: 'N0123456789abcdef' },
    title: 'New Relic API or license key',
    kind: 'observability',
    severity: 'high',
    keywords: ['nrak-', 'nrii-', 'nrjs-', 'nral'],
    pattern:
      /(?<![A-Za-z0-9_-])(NRAK-[A-Za-z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19}|[a-f0-9]{32,36}NRAL)(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [
        `NEW_RELIC_API_KEY=${'NRAK'}-${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 27)}`,
        `license_key: ${rand(HEX, 36)}${'NRAL'}`,
      ],
      ignore: ['NEW_RELIC_API_KEY=NRAK-XXXXXXXXXXXXXXXXXXXXXXXXXXX'],
    },
  },
  {
    id: 'sentry-dsn-with-secret',
    title: 'Sentry DSN with a secret key',
    kind: 'observability',
    severity: 'medium',
    keywords: ['sentry'],
    pattern:
      /https?:\/\/[a-f0-9]{32}:([a-f0-9]{32})@[a-z0-9.-]{0,100}sentry[a-z0-9.-]{0,100}(?::\d{1,5})?\/\d{1,12}/i,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [
        `SENTRY_DSN=https://${rand(HEX, 32)}:${rand(HEX, 32)}@o${rand(DIGITS, 6)}.ingest.sentry.io/${rand(DIGITS, 7)}`,
      ],
      ignore: [`SENTRY_DSN=https://${'0123456789abcdef'.repeat(2)}@o0.ingest.sentry.io/0`],
    },
  },
  {
    id: 'sentry-auth-token',
    anchor: { from: 0, to: 0 },
    title: 'Sentry auth token',
    kind: 'observability',
    severity: 'high',
    keywords: ['sntrys_', 'sntryu_'],
    pattern: /(?<![A-Za-z0-9_])(sntrys_eyJ[A-Za-z0-9+/=_-]{60,400}|sntryu_[a-f0-9]{64})(?![A-Za-z0-9+/=_-])/,
    secretGroup: 1,
    entropy: 3.5,
    samples: {
      leak: () => [`SENTRY_AUTH_TOKEN=${'sntryu'}_${rand(HEX, 64)}`],
      ignore: ['SENTRY_AUTH_TOKEN=sntrys_'],
    },
  },
  {
    id: 'grafana-token',
    anchor: { from: 0, to: 0 },
    title: 'Grafana Cloud or service account token',
    kind: 'observability',
    severity: 'high',
    keywords: ['glc_', 'glsa_', 'eyjrijoi'],
    pattern:
      /(?<![A-Za-z0-9_])(glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{70,400}={0,3})(?![A-Za-z0-9_+/=])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `GRAFANA_TOKEN=${'glsa'}_${rand(ALNUM, 32)}_${rand(HEX, 8)}`,
        `token: ${'glc'}_${rand(ALNUM, 80)}`,
        `GRAFANA_API_KEY=${'eyJr'}Ijoi${rand(ALNUM, 90)}`,
      ],
      ignore: ['glsa_'],
    },
  },
  {
    id: 'linear-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Linear API key',
    kind: 'productivity',
    severity: 'high',
    keywords: ['lin_api_'],
    pattern: /(?<![A-Za-z0-9_])(lin_api_[A-Za-z0-9]{40})(?![A-Za-z0-9_])/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [`LINEAR_API_KEY=${'lin'}_api_${rand(ALNUM, 40)}`],
      ignore: ['lin_api_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'postman-api-key',
    anchor: { from: 0, to: 0 },
    title: 'Postman API key',
    kind: 'productivity',
    severity: 'high',
    keywords: ['pmak-'],
    pattern: /(?<![A-Za-z0-9_-])(PMAK-[a-f0-9]{24}-[a-f0-9]{34})(?![A-Za-z0-9_-])/i,
    secretGroup: 1,
    entropy: 3,
    samples: {
      leak: () => [`POSTMAN_API_KEY=${'PMAK'}-${rand(HEX, 24)}-${rand(HEX, 34)}`],
      ignore: ['PMAK-'],
    },
  },
  {
    id: 'notion-token',
    anchor: { from: 0, to: 37, first: 'nNsS' },
    title: 'Notion integration token',
    kind: 'productivity',
    severity: 'high',
    keywords: ['ntn_', 'notion'],
    pattern:
      /(?<![A-Za-z0-9_])(ntn_[0-9]{11}[A-Za-z0-9]{35}|(?<=notion[\w.-]{0,20}["']?\s{0,4}[:=]\s{0,4}["']?)secret_[A-Za-z0-9]{43})(?![A-Za-z0-9_])/i,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `NOTION_TOKEN=${'ntn'}_${rand(DIGITS, 11)}${rand(ALNUM, 35)}`,
        `NOTION_API_KEY=secret_${rand(ALNUM, 43)}`,
      ],
      ignore: ['NOTION_TOKEN=ntn_'],
    },
  },
];

function uuid(): string {
  return [8, 4, 4, 4, 12].map((n) => rand(HEX, n)).join('-');
}
