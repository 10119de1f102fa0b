/** Scanning ECS task definitions' plaintext environment for secrets: pure logic, ports and errors. */
export * from './types';
export * from './errors';
export * from './parse';
export * from './secret-names';
export * from './remedy';
export * from './scan';
export * from './record';
export * from './ports';
export * from './scan-step';
export * from './sweep';
export * from './event';
export * from './cli';
export * from './run';
