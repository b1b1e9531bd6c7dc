import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { PrometheusMetrics } from './prometheus-metrics.js';

describe(PrometheusMetrics, () => {
  it('exposes the specification metric names with result and attestor labels', async () => {
    const registry = new Registry();
    const metrics = new PrometheusMetrics(registry, 'docker');
    metrics.sigstoreVerification('verified', 0.2);
    metrics.sigstoreVerification('network_error', 1.5);
    metrics.sigstoreSignatureCount(2);
    metrics.sigstoreCacheLookup('hit');
    metrics.sigstoreCacheLookup('miss');
    metrics.attestation('attested', 0.003);
    const text = await registry.metrics();
    expect(text).toContain(
      'spirl_agent_sigstore_image_verification_total{result="verified",attestor="docker"} 1',
    );
    expect(text).toContain(
      'spirl_agent_sigstore_image_verification_total{result="network_error",attestor="docker"} 1',
    );
    expect(text).toContain(
      'spirl_agent_sigstore_image_verification_duration_seconds_count{result="verified",attestor="docker"} 1',
    );
    expect(text).toContain('spirl_agent_sigstore_signature_count_sum{attestor="docker"} 2');
    expect(text).toContain(
      'spirl_agent_sigstore_verification_cache_total{result="hit",attestor="docker"} 1',
    );
    expect(text).toContain(
      'spirl_agent_sigstore_verification_cache_total{result="miss",attestor="docker"} 1',
    );
    expect(text).toContain(
      'attestor_workload_attestations_total{outcome="attested",attestor="docker"} 1',
    );
    expect(text).toContain(
      'attestor_workload_attestation_duration_seconds_bucket{le="0.005",outcome="attested",attestor="docker"} 1',
    );
  });

  it('counts each outcome in its own series, every time', async () => {
    const registry = new Registry();
    const metrics = new PrometheusMetrics(registry, 'podman');
    metrics.attestation('attested', 0.001);
    metrics.attestation('error', 0.002, 'runtime_unavailable');
    metrics.attestation('attested', 0.003);
    metrics.attestation('not_in_container', 0.0001);
    metrics.attestation('attested', 0.02);
    const text = await registry.metrics();
    expect(text).toContain(
      'attestor_workload_attestations_total{outcome="attested",attestor="podman"} 3',
    );
    expect(text).toContain(
      'attestor_workload_attestations_total{outcome="error",attestor="podman",error_code="runtime_unavailable"} 1',
    );
    expect(text).toContain(
      'attestor_workload_attestations_total{outcome="not_in_container",attestor="podman"} 1',
    );
    expect(text).toContain(
      'attestor_workload_attestation_duration_seconds_sum{outcome="attested",attestor="podman"} 0.024',
    );
    expect(text).toContain(
      'attestor_workload_attestation_duration_seconds_bucket{le="0.0025",outcome="attested",attestor="podman"} 1',
    );
  });

  it('labels an error without a code as internal, and counts reloads by result', async () => {
    const registry = new Registry();
    const metrics = new PrometheusMetrics(registry, 'docker');
    metrics.attestation('error', 0.001);
    metrics.configurationReload('applied');
    metrics.configurationReload('rejected');
    metrics.configurationReload('rejected');
    const text = await registry.metrics();
    expect(text).toContain(
      'attestor_workload_attestations_total{outcome="error",attestor="docker",error_code="internal"} 1',
    );
    expect(text).toContain('attestor_configuration_reloads_total{result="applied"} 1');
    expect(text).toContain('attestor_configuration_reloads_total{result="rejected"} 2');
  });

  it('uses only the registry it is given', async () => {
    const first = new Registry();
    const second = new Registry();
    new PrometheusMetrics(first, 'docker').attestation('error', 1);
    new PrometheusMetrics(second, 'docker');
    expect(await second.metrics()).not.toContain('outcome="error"');
  });
});
