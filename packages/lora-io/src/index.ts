export { SafetensorsError, AdapterFormatError, AdapterLayoutError } from './errors';
