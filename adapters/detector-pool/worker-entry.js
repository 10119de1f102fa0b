// The file a DetectorPool worker thread starts from. A worker does not inherit the TypeScript loader of a
// test runner (ts-jest) and may run outside tsx, so it registers tsx's require hook itself (as cli/bin.js
// does) and then loads the TypeScript body. A bundle that has no TypeScript sources beside it cannot start
// workers: use the in-thread detector there (the scan-layer Lambda does).
require('tsx/cjs/api').register();
require('./worker.ts');
