export { FakeClock } from './fake-clock.js';
export { RecordingLogger, type LogRecord } from './recording-logger.js';
export { FakeProcessTable, type FakeProcess } from './fake-process-table.js';
export { FakeContainerRuntime } from './fake-container-runtime.js';
export { RecordingMetrics } from './recording-metrics.js';
export { ConfigTextMother, ContainerDetailsMother, ProcessMother, containerId } from './mothers.js';
export { FakeImageRegistry, FakeSignatureVerifier, artifactKey } from './fake-sigstore.js';
export {
  MALFORMED_HTTP_REQUESTS,
  rawHttpStatus,
  sendRawHttp,
  unrefusedMalformedRequests,
  type ListenerAddress,
} from './malformed-http.js';
export { rejection, thrown, type ErrorClass } from './coded-errors.js';
