import { getCACertificates } from 'node:tls';

/**
 * The CA certificates an HTTPS client of attestor trusts: Node's bundled Mozilla roots, the
 * system's store (where an operator's own CAs are installed), and `extraPem` (PEM text of
 * the extra CAs the configuration names for one service), in that order.
 */
export function trustBundle(extraPem?: string): string[] {
  return [
    ...getCACertificates('default'),
    ...getCACertificates('system'),
    ...(extraPem === undefined ? [] : [extraPem]),
  ];
}
