// tfjs's IS_TEST flag: silences its one-time "install the node backend" advice, which
// otherwise prints in every test file that touches the cpu backend.
require('@tensorflow/tfjs-core').env().set('IS_TEST', true);
