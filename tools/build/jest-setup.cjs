// Drops tfjs's one-time advice to install its node backend (printed by every test file
// that touches the cpu backend). Done by filtering that one message: setting tfjs's
// IS_TEST flag instead would also switch on its per-kernel leak check, which misfires on
// wasm under custom gradients, so tests would no longer run tfjs as users do.
const warn = console.warn;
console.warn = (...args) => {
  if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js in Node.js')) return;
  warn(...args);
};
