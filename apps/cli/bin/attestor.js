#!/usr/bin/env node
// The `attestor` command. Built output lives in ../dist (npm run build, run by npm ci).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
