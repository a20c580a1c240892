export { WeightSpaceError } from './errors';
