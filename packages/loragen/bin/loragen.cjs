#!/usr/bin/env node
// The `loragen` command. A committed file (not dist/), so that npm links the bin at install time even in a
// workspace where the package is built afterwards; the CLI itself is built into dist/.
require('../dist/cli.cjs');
