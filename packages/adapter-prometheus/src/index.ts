export { PrometheusMetrics, METRIC_NAMES } from './prometheus-metrics.js';
