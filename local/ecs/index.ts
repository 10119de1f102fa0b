export { startEcsStandIn, type EcsStandIn, type EcsStandInOptions } from './stand-in';
export type { ServiceInput, TaskDefinitionInput } from './state';
