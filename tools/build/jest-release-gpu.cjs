// After each test file: destroys the WebGPU device that file's tfjs engine opened. Every test file gets its own
// module registry, so its own tfjs engine, Dawn instance and device, and tfjs's backend `dispose` releases buffers
// but never the device. With many files in one jest process the devices piled up until Dawn crashed the process
// (a segmentation fault after about a dozen files that each ran on webgpu).
afterAll(async () => {
  const tf = require('@tensorflow/tfjs-core');
  const backend = tf.engine().registry.webgpu;
  if (!backend) return;
  const device = backend.device;
  if (tf.getBackend() === 'webgpu') await tf.ready();
  tf.removeBackend('webgpu');
  await device.queue.onSubmittedWorkDone();
  device.destroy();
});
