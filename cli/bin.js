#!/usr/bin/env node
// The `rotor` command installed by package.json "bin": loads the TypeScript CLI through tsx's require hook.
require('tsx/cjs/api').register();
void require('./main.ts').main();
