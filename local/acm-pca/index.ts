export { startAcmPcaStandIn, type AcmPcaStandIn, type AcmPcaStandInOptions } from './stand-in';
export type { CaKeyAlgorithm, CaMaterial } from './authority';
export type { CaStatus } from './operations';
export { TEMPLATES, type TemplateName } from './issue';
