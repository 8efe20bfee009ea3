#!/usr/bin/env node
import '../dist/tools/cli/main.js';
