// Node-only entry point (file-system checkpoints, the CLI's helpers).
export * from './index';
