export type CgroupErrorCode = 'malformed_line' | 'conflicting_container_ids';

/** The cgroup text could not be trusted to name one container. */
/** Brands instances, so that `is()` works across copies of this package. */
const cgroupErrorBrand = Symbol.for('@attestor/cgroup/CgroupError');

export class CgroupError extends Error {
  readonly [cgroupErrorBrand] = true;
  override readonly name = 'CgroupError';

  constructor(
    readonly code: CgroupErrorCode,
    message: string,
  ) {
    super(message);
  }

  static is(value: unknown): value is CgroupError {
    return typeof value === 'object' && value !== null && cgroupErrorBrand in value;
  }
}
