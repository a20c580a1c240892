const path = require('node:path');

module.exports = require('../../tools/build/jest-preset.cjs')(__dirname, {
  setupFiles: [path.join(__dirname, 'test/support/jest-setup.cjs')],
});
