import { DEFAULT_CONFIG } from '@attestor/config';
import { describe, expect, it } from 'vitest';

import { EMBEDDED_DEFAULT_CONFIG } from './embedded-config.js';
import { loadYamlConfig } from './yaml-config.js';

describe('EMBEDDED_DEFAULT_CONFIG', () => {
  it('is a valid configuration that turns Docker attestation on and leaves the rest at its defaults', () => {
    const result = loadYamlConfig(EMBEDDED_DEFAULT_CONFIG);

    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (!result.ok) return;
    expect(result.config).toStrictEqual({
      ...DEFAULT_CONFIG,
      docker: { ...DEFAULT_CONFIG.docker, enabled: true },
    });
  });
});
