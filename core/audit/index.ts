export * from './event';
export * from './chain';
export * from './verify';
export * from './writer';
export * from './errors';
export * from './ports';
export * from './cloudtrail';
export { scrubText } from './scrub';
