module.exports = require('../../tools/build/jest-preset.cjs')(__dirname);
