/** A class of errors with a static `is()`, as every CodedError subclass has. */
export type ErrorClass = (abstract new (...args: never[]) => Error) & {
  is(value: unknown): boolean;
};

function unexpected(errorClass: ErrorClass, error: unknown): Error {
  return new Error(`expected a ${errorClass.name}, got ${String(error)}`, { cause: error });
}

/**
 * The error of `errorClass` that `promise` rejects with, for asserting its code and fields.
 * Fails the test when the promise resolves or rejects with anything else, so that a negative
 * test cannot pass on an unrelated exception.
 */
export async function rejection<C extends ErrorClass>(
  errorClass: C,
  promise: Promise<unknown>,
): Promise<InstanceType<C>> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  if (errorClass.is(error)) return error as InstanceType<C>;
  throw error === undefined
    ? new Error(`expected a ${errorClass.name}, but it resolved`)
    : unexpected(errorClass, error);
}

/** The error of `errorClass` that `action` throws; as `rejection`, for synchronous code. */
export function thrown<C extends ErrorClass>(
  errorClass: C,
  action: () => unknown,
): InstanceType<C> {
  try {
    action();
  } catch (error) {
    if (errorClass.is(error)) return error as InstanceType<C>;
    throw unexpected(errorClass, error);
  }
  throw new Error(`expected a ${errorClass.name}, but it returned`);
}
