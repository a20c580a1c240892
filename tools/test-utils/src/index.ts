export { activateBackend, describeEachBackend, backendAvailable, requestedBackends, type TestBackend } from './backends';
export { expectClose, type Tolerance } from './close';
export { expectNoLeaks } from './leaks';
export { seededNormals, seededUniform } from './random';
export { hostLowRankDelta, hostMatMul, hostProductTransposed } from './host-linalg';
export { tempFolder } from './temp-folder';
