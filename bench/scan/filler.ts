// Innocent file contents for the benchmark image: source, configs, manifests, lockfiles, minified bundles.
// Files are assembled from pools of generated lines (fast enough for a gigabyte), with the words a scanner's
// prefilter reacts to (token, password, secret, key, ://, sha512 integrity hashes) used innocently, as in
// real code, so the detector pays for its keywords.
import { ALNUM, BASE64, HEX, LOWER, Random } from './random';

const WORDS = [
  'user',
  'order',
  'item',
  'cache',
  'config',
  'request',
  'response',
  'handler',
  'client',
  'session',
  'token',
  'buffer',
  'stream',
  'parser',
  'options',
  'value',
  'result',
  'error',
  'index',
  'count',
  'payload',
  'router',
  'secret',
  'password',
  'key',
  'auth',
  'header',
  'queue',
  'logger',
  'metrics',
  'retry',
  'timeout',
  'schema',
];

function ident(r: Random): string {
  const a = r.pick(WORDS);
  const b = r.pick(WORDS);
  return a + b[0]!.toUpperCase() + b.slice(1);
}

function jsLine(r: Random): string {
  const x = ident(r);
  const y = ident(r);
  switch (r.int(14)) {
    case 0:
      return `const ${x} = require('${r.pick(WORDS)}-${r.pick(WORDS)}');`;
    case 1:
      return `function ${x}(${y}, options = {}) {`;
    case 2:
      return `  if (!${y}) throw new TypeError('${x} requires a ${r.pick(WORDS)}');`;
    case 3:
      return `  return ${y}.map((${r.pick(WORDS)}) => ${x}(${r.pick(WORDS)}, ${r.int(1000)}));`;
    case 4:
      return `}`;
    case 5:
      return `// ${r.pick(WORDS)} the ${r.pick(WORDS)} before the ${r.pick(WORDS)} is sent`;
    case 6:
      return `  const token = req.headers['authorization'] ?? ${y}.token;`;
    case 7:
      return `  password: { type: String, required: true, minlength: ${r.int(20) + 8} },`;
    case 8:
      return `  const url = new URL('https://${r.pick(WORDS)}.example.com/${x}?page=${r.int(99)}');`;
    case 9:
      return `module.exports.${x} = ${x};`;
    case 10:
      return `  await this.${x}.set(key, ${y}, { ttl: ${r.int(3600)} });`;
    case 11:
      return `  const secret = process.env.${x.toUpperCase()}_SECRET;`;
    case 12:
      return `  this.emit('${r.pick(WORDS)}', { id: '${r.chars(HEX, 24)}', ${y} });`;
    default:
      return `  let ${x} = ${y}.${ident(r)}(${r.int(100)}) || ${JSON.stringify(r.pick(WORDS))};`;
  }
}

function pyLine(r: Random): string {
  const x = ident(r);
  switch (r.int(6)) {
    case 0:
      return `def ${x}(self, ${r.pick(WORDS)}, timeout=${r.int(60)}):`;
    case 1:
      return `    """Return the ${r.pick(WORDS)} for the ${r.pick(WORDS)}."""`;
    case 2:
      return `    password = os.environ.get("${x.toUpperCase()}_PASSWORD")`;
    case 3:
      return `    return self._${x}[${r.int(10)}]`;
    case 4:
      return `import ${r.pick(WORDS)}.${r.pick(WORDS)} as ${x}`;
    default:
      return `    if ${x} is None: raise ValueError("missing ${r.pick(WORDS)}")`;
  }
}

function confLine(r: Random): string {
  const k = r.pick(WORDS);
  switch (r.int(6)) {
    case 0:
      return `${k}_${r.pick(WORDS)} = ${r.int(65536)}`;
    case 1:
      return `# ${r.pick(WORDS)} settings for the ${r.pick(WORDS)} service`;
    case 2:
      return `${k}:\n  enabled: ${r.int(2) === 1}\n  url: http://${r.pick(WORDS)}.internal:${r.int(9000) + 1000}/`;
    case 3:
      return `[${k}]`;
    case 4:
      return `${k}.password_file = /run/secrets/${r.pick(WORDS)}`;
    default:
      return `${k}.path = /usr/share/${r.pick(WORDS)}/${r.pick(WORDS)}.d`;
  }
}

function mdLine(r: Random): string {
  const words = Array.from({ length: 6 + r.int(12) }, () => r.pick(WORDS)).join(' ');
  return r.int(8) === 0 ? `## ${words}` : `${words[0]!.toUpperCase()}${words.slice(1)}.`;
}

function lockEntry(r: Random): string {
  const name = `${r.pick(WORDS)}-${r.pick(WORDS)}`;
  const version = `${r.int(9)}.${r.int(30)}.${r.int(20)}`;
  return `    "packages/${name}": {\n      "version": "${version}",\n      "resolved": "https://registry.npmjs.org/${name}/-/${name}-${version}.tgz",\n      "integrity": "sha512-${r.chars(BASE64, 86)}==",\n      "license": "MIT"\n    },`;
}

/** Kinds of text file the generator writes, with their extensions. */
export type TextKind = 'js' | 'ts' | 'py' | 'conf' | 'yaml' | 'md' | 'json' | 'lock' | 'min.js' | 'map';

/** Pools of lines per kind, made once per run from the seed. */
export class Filler {
  private readonly pools: Record<'js' | 'py' | 'conf' | 'md' | 'lock', string[]>;

  constructor(private readonly r: Random) {
    const pool = (n: number, make: (r: Random) => string) => Array.from({ length: n }, () => make(r));
    this.pools = {
      js: pool(4000, jsLine),
      py: pool(1500, pyLine),
      conf: pool(800, confLine),
      md: pool(800, mdLine),
      lock: pool(3000, lockEntry),
    };
  }

  /** A text file of about `size` bytes of the given kind. */
  text(kind: TextKind, size: number): string {
    switch (kind) {
      case 'js':
      case 'ts':
        return this.lines(this.pools.js, size, '\n');
      case 'py':
        return this.lines(this.pools.py, size, '\n');
      case 'conf':
      case 'yaml':
        return this.lines(this.pools.conf, size, '\n');
      case 'md':
        return this.lines(this.pools.md, size, '\n\n');
      case 'lock':
        return `{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {\n${this.lines(this.pools.lock, size, '\n')}\n  }\n}\n`;
      case 'json':
        return this.packageJson();
      case 'min.js':
        // One long line, as bundlers write them.
        return `!function(e){"use strict";${this.lines(this.pools.js, size, '').replace(/\s+/g, ' ')}}(this);\n`;
      case 'map':
        return `{"version":3,"sources":["webpack://app/./src/index.js"],"mappings":"${this.r.chars(`${ALNUM};,`, Math.max(0, size - 80))}"}`;
    }
  }

  private packageJson(): string {
    const r = this.r;
    const deps = Array.from(
      { length: 3 + r.int(15) },
      () => `    "${r.pick(WORDS)}-${r.pick(WORDS)}": "^${r.int(9)}.${r.int(20)}.${r.int(9)}"`,
    );
    return `{\n  "name": "${r.pick(WORDS)}-${r.chars(LOWER, 5)}",\n  "version": "${r.int(5)}.${r.int(20)}.${r.int(9)}",\n  "main": "index.js",\n  "repository": "git+https://github.com/${r.pick(WORDS)}/${r.pick(WORDS)}.git",\n  "dependencies": {\n${deps.join(',\n')}\n  }\n}\n`;
  }

  private lines(pool: readonly string[], size: number, sep: string): string {
    const parts: string[] = [];
    let n = 0;
    while (n < size) {
      const line = pool[this.r.int(pool.length)]!;
      parts.push(line);
      n += line.length + sep.length;
    }
    return parts.join(sep);
  }
}
