// Replaces the shared preset's setup (tools/build/jest-setup.cjs sets tfjs's IS_TEST to silence the node-backend
// advice). IS_TEST also turns on tfjs's per-kernel leak check, which counts the intermediates a custom gradient
// saves for its backward (roots, singular vectors) as leaks. PROD silences the same advice without that check;
// test/leaks.test.ts checks for real leaks.
require('@tensorflow/tfjs-core').env().set('PROD', true);
