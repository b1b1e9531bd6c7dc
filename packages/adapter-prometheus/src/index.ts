export { METRIC_NAMES, PrometheusMetrics } from './prometheus-metrics.js';
