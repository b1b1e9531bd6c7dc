/** The brands an error carries: its class's and every ancestor's, up to CodedError. */
const BRANDS = Symbol.for('@attestor/ports/CodedError.brands');

/** A class of coded errors, as seen by the static `is()`. */
interface BrandedClass {
  readonly brand: string;
}

/**
 * The base of every error attestor throws on purpose: a `code` from the class's closed union,
 * a message for people, and the `cause` when one failure comes from another.
 *
 * `is()` asks the brand rather than the prototype chain, so that an error made by another copy
 * of a package (two versions in node_modules, or a bundled CLI beside the workspace) is still
 * recognised. Each subclass names itself with a `brand` unique to it:
 *
 *     export class CgroupError extends CodedError<CgroupErrorCode> {
 *       static override readonly brand = '@attestor/cgroup/CgroupError';
 *       override readonly name = 'CgroupError';
 *     }
 *
 *     if (CgroupError.is(error) && error.code === 'malformed_line') ...
 */
export abstract class CodedError<Code extends string = string> extends Error {
  static readonly brand: string = '@attestor/ports/CodedError';

  declare private readonly [BRANDS]: readonly string[];

  constructor(
    readonly code: Code,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    const brands: string[] = [];
    for (
      let current: unknown = new.target;
      typeof current === 'function' && current !== Error;
      current = Object.getPrototypeOf(current)
    ) {
      const { brand } = current as Partial<BrandedClass>;
      if (typeof brand === 'string' && !brands.includes(brand)) brands.push(brand);
    }
    Object.defineProperty(this, BRANDS, { value: Object.freeze(brands) });
  }

  /** True for an error of this class or a subclass, whichever copy of the package made it. */
  static is<T extends abstract new (...args: never[]) => CodedError>(
    this: T & BrandedClass,
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    const brands = (value as { readonly [BRANDS]?: unknown })[BRANDS];
    return Array.isArray(brands) && brands.includes(this.brand);
  }
}
