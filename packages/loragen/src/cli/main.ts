#!/usr/bin/env node
import { BACKEND_NAMES } from '../backend/names';

process.stderr.write(`loragen: no commands yet (backends: ${BACKEND_NAMES.join(', ')})\n`);
process.exitCode = 2;
