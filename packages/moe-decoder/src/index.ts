export { MoeDecoderError } from './errors';
