import { describeRuntime } from './runtime-suite.js';

describeRuntime('podman');
