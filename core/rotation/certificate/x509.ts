// The only door to @peculiar/x509 in this folder: tsyringe (which x509 uses) needs the Reflect metadata
// polyfill loaded first.
import 'reflect-metadata';

export * from '@peculiar/x509';
