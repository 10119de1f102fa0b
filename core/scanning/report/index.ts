export { toSarif, type SarifRule, type SarifTool } from './sarif';
export { toTable } from './text';
export { atLeast, bySeverity, where } from './severity';
