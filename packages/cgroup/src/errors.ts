import { CodedError } from '@attestor/ports';

export type CgroupErrorCode = 'malformed_line' | 'conflicting_container_ids';

/** The cgroup text could not be trusted to name one container. */
export class CgroupError extends CodedError<CgroupErrorCode> {
  static override readonly brand = '@attestor/cgroup/CgroupError';
  override readonly name = 'CgroupError';
}
