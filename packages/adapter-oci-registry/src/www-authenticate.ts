/** One challenge of a `WWW-Authenticate` header, as registries send them. */
export interface AuthChallenge {
  readonly scheme: 'bearer' | 'basic';
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * Parses `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`
 * or `Basic realm="registry"`. Unknown schemes give undefined.
 */
export function parseAuthenticateHeader(header: string | undefined): AuthChallenge | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return undefined;
  // Parameter names come from the registry: no prototype, so `__proto__` is just a name.
  const parameters = Object.create(null) as Record<string, string>;
  const pattern = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*,?/g;
  for (const parameter of (match?.[2] ?? '').matchAll(pattern)) {
    const name = parameter[1]?.toLowerCase();
    if (name === undefined) continue;
    parameters[name] = parameter[2]?.replace(/\\(.)/g, '$1') ?? parameter[3] ?? '';
  }
  return { scheme, parameters };
}
