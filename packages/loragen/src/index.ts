export { useBackend, defaultBackend } from './backend/use-backend';
export { BACKEND_NAMES, type BackendName } from './backend/names';
export { LoraGenError, BackendUnavailableError } from './errors';
