export { LatentDiffusionError } from './errors';
