// Node-only entry point: file-system reading and atomic writing.
export * from './index';
