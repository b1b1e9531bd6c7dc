import { describeRuntime } from './runtime-suite.js';

describeRuntime('docker');
