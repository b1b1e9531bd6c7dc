import { describe, expect, it } from 'vitest';

import { RuntimeResolverError } from './errors.js';
import {
  expandPodmanSocketTemplate,
  socketPathFromUrl,
  validatePodmanSocketTemplate,
} from './socket-url.js';

describe(socketPathFromUrl, () => {
  it('returns the path of a unix:// URL', () => {
    expect(socketPathFromUrl('unix:///var/run/docker.sock')).toBe('/var/run/docker.sock');
  });

  it.each([
    ['tcp://127.0.0.1:2375', 'must be a unix:// URL'],
    ['http://localhost/x', 'must be a unix:// URL'],
    ['/var/run/docker.sock', 'must be a unix:// URL'],
    ['unix://var/run/docker.sock', 'absolute path'],
    ['unix://', 'absolute path'],
    ['unix:///run/x.sock?a=b', "'?', '#' or NUL"],
    ['unix:///run/../etc/x.sock', "'..' segments"],
  ])('refuses %j', (url, reason) => {
    expect(() => socketPathFromUrl(url)).toThrow(RuntimeResolverError);
    expect(() => socketPathFromUrl(url)).toThrow(reason);
    expect(() => socketPathFromUrl(url)).toThrow(JSON.stringify(url));
  });
  it('refuses a path longer than a unix socket address holds, and accepts one that fits', () => {
    const fits = `/${'a'.repeat(106)}`;
    expect(socketPathFromUrl(`unix://${fits}`)).toBe(fits);
    let error: unknown;
    try {
      socketPathFromUrl(`unix://${fits}a`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: 'invalid_socket_url',
      message: expect.stringContaining(
        'the socket path is 108 bytes, longer than the 107 a unix socket address holds',
      ) as unknown,
    });
  });

  it('checks a rootless template with the longest uid', () => {
    // 98 bytes with uid 0, 107 with uid 4294967295: it must fit for every user, so one byte
    // more is refused although it would fit uid 0.
    const template = `unix:///${'r'.repeat(88)}/%d/x.sock`;
    expect(() => {
      validatePodmanSocketTemplate(template);
    }).not.toThrow();
    expect(() => {
      validatePodmanSocketTemplate(template.replace('x.sock', 'xx.sock'));
    }).toThrow('longer than the 107');
  });
});

describe(validatePodmanSocketTemplate, () => {
  it('accepts the default template', () => {
    expect(() => {
      validatePodmanSocketTemplate('unix:///run/user/%d/podman/podman.sock');
    }).not.toThrow();
  });

  it.each([
    ['unix:///run/user/podman.sock', 'exactly one %d placeholder, found 0'],
    ['unix:///run/user/%d/%d.sock', 'exactly one %d placeholder, found 2'],
    ['unix:///run/user/%d/%s.sock', 'no % directive other than %d, found "%s"'],
    ['unix:///run/user/%d/100%%.sock', 'no % directive other than %d, found "%%"'],
    ['unix:///run/user/%d/x%', 'no % directive other than %d, found "%"'],
    ['unix:///run/user/%i/%d.sock', 'no % directive other than %d, found "%i"'],
    ['tcp://host:%d', 'must be a unix:// URL'],
  ])('refuses %j', (template, reason) => {
    expect(() => {
      validatePodmanSocketTemplate(template);
    }).toThrow(reason);
  });
});

describe(expandPodmanSocketTemplate, () => {
  it('substitutes the uid', () => {
    expect(expandPodmanSocketTemplate('unix:///run/user/%d/podman/podman.sock', 1000)).toBe(
      '/run/user/1000/podman/podman.sock',
    );
  });

  it.each([-1, 1.5, 4294967296, Number.NaN])('refuses the uid %s', (uid) => {
    expect(() => expandPodmanSocketTemplate('unix:///run/user/%d/podman.sock', uid)).toThrow(
      /uid must be an integer/,
    );
  });
});
