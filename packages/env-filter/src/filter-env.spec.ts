import { describe, expect, it } from 'vitest';

import { filterEnv } from './filter-env.js';

describe(filterEnv, () => {
  describe('having the specification example', () => {
    it('keeps APP_VERSION, SERVICE_NAME and ENVIRONMENT and drops SECRET_KEY', () => {
      const entries = [
        'APP_VERSION=1.2.3',
        'SERVICE_NAME=payments',
        'SECRET_KEY=abc',
        'ENVIRONMENT=prod',
      ];
      expect(filterEnv(entries, ['APP_', 'SERVICE_', 'ENVIRONMENT'])).toStrictEqual([
        { name: 'APP_VERSION', value: '1.2.3' },
        { name: 'SERVICE_NAME', value: 'payments' },
        { name: 'ENVIRONMENT', value: 'prod' },
      ]);
    });
  });

  describe('having an empty prefix list', () => {
    it('yields nothing', () => {
      expect(filterEnv(['APP_VERSION=1', 'PATH=/bin'], [])).toStrictEqual([]);
    });
  });

  describe('having an empty prefix', () => {
    it('refuses it instead of exposing every variable', () => {
      expect(() => filterEnv(['SECRET=1'], ['APP_', ''])).toThrow(/empty includeEnvVars prefix/);
    });
  });

  describe('having names that differ in case', () => {
    it('matches case-sensitively', () => {
      expect(filterEnv(['app_version=1', 'App_Name=x', 'APP_OK=y'], ['APP_'])).toStrictEqual([
        { name: 'APP_OK', value: 'y' },
      ]);
    });
  });

  describe('having values with = signs and empty values', () => {
    it('keeps everything after the first =', () => {
      expect(filterEnv(['APP_URL=postgres://h/db?a=b=c', 'APP_EMPTY='], ['APP_'])).toStrictEqual([
        { name: 'APP_URL', value: 'postgres://h/db?a=b=c' },
        { name: 'APP_EMPTY', value: '' },
      ]);
    });
  });

  describe('having entries without a value', () => {
    it('drops entries without = and with an empty name', () => {
      expect(filterEnv(['APP_FLAG', '=APP_X', 'APP_OK=1'], ['APP_'])).toStrictEqual([
        { name: 'APP_OK', value: '1' },
      ]);
    });
  });

  describe('having a repeated name', () => {
    it('lets the later entry win, in first-appearance order', () => {
      expect(filterEnv(['APP_A=1', 'APP_B=2', 'APP_A=3'], ['APP_'])).toStrictEqual([
        { name: 'APP_A', value: '3' },
        { name: 'APP_B', value: '2' },
      ]);
    });
  });

  describe('having a name equal to the prefix', () => {
    it('keeps it, since the name starts with the prefix', () => {
      expect(
        filterEnv(['ENVIRONMENT=prod', 'ENVIRONMENTAL=x', 'ENV=no'], ['ENVIRONMENT']),
      ).toStrictEqual([
        { name: 'ENVIRONMENT', value: 'prod' },
        { name: 'ENVIRONMENTAL', value: 'x' },
      ]);
    });
  });

  describe('having a prefix that reaches past the = sign', () => {
    it('matches the name, not the entry', () => {
      expect(filterEnv(['A=BC', 'A=B', 'AB=1'], ['A=B', 'AB'])).toStrictEqual([
        { name: 'AB', value: '1' },
      ]);
    });
  });

  describe('having a large environment', () => {
    it('keeps the last value of each allowed name among thousands', () => {
      const entries = Array.from(
        { length: 20_000 },
        (_, index) => `APP_${String(index % 5000)}=${String(index)}`,
      );
      const allowed = filterEnv([...entries, 'OTHER=1'], ['APP_']);
      expect(allowed).toHaveLength(5000);
      expect(allowed[0]).toStrictEqual({ name: 'APP_0', value: '15000' });
      expect(allowed[4999]).toStrictEqual({ name: 'APP_4999', value: '19999' });
    });
  });
});
