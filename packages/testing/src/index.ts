export { type ErrorClass, rejection, thrown } from './coded-errors.js';
export { FakeClock } from './fake-clock.js';
export { FakeContainerRuntime } from './fake-container-runtime.js';
export { type FakeProcess, FakeProcessTable } from './fake-process-table.js';
export { artifactKey, FakeImageRegistry, FakeSignatureVerifier } from './fake-sigstore.js';
export {
  type ListenerAddress,
  MALFORMED_HTTP_REQUESTS,
  rawHttpStatus,
  sendRawHttp,
  unrefusedMalformedRequests,
} from './malformed-http.js';
export { ConfigTextMother, ContainerDetailsMother, containerId, ProcessMother } from './mothers.js';
export { type LogRecord, RecordingLogger } from './recording-logger.js';
export { RecordingMetrics } from './recording-metrics.js';
export { getOverUnixSocket, type UnixHttpAnswer } from './unix-http.js';
