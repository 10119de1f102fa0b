export * from './errors';
export * from './ports';
export * from './ecr-event';
export * from './problems';
export * from './resolve-step';
export * from './scan-layer-step';
export * from './merge-step';
export * from './ruleset-version';
