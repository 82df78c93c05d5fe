// @kubemq/test-fakes: what the pattern packages' component tests share (never shipped, never
// imported by package sources; the lint's module boundaries keep it so). See ../README.md.
export {
  FakeCall,
  fakeInternals,
  settle,
  type FakeCallBehaviour,
  type FakeCallContext,
  type FakeInternals,
  type FakeInternalsOptions,
  type FakeServerStream,
  type LogEntry,
} from './fake-internals.js';
export { until } from './wait.js';
export { largestValidBody, validationField } from './validation.js';
export { resetSocket, startTcpProxy, type ProxyStats, type TcpProxy } from './tcp-proxy.js';
