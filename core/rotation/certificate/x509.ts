// The only door to @peculiar/x509 in this folder: the polyfill it needs must load first.
import './reflect-metadata';

export * from '@peculiar/x509';
