import { AttributeError } from './errors.js';

export type AttributeValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'uint64'; readonly value: bigint };

const MAX_UINT64 = 2n ** 64n - 1n;

/**
 * The attributes of one attested workload: an immutable, ordered map from name to typed value.
 * Built once per attestation; each name is set at most once, so that no step can silently
 * overwrite what an earlier step vouched for.
 */
export class AttributeSet implements Iterable<[string, AttributeValue]> {
  readonly #values: ReadonlyMap<string, AttributeValue>;

  private constructor(values: ReadonlyMap<string, AttributeValue>) {
    this.#values = values;
  }

  static readonly empty = new AttributeSet(new Map());

  static builder(): AttributeSetBuilder {
    return new AttributeSetBuilder((values) => new AttributeSet(values));
  }

  get size(): number {
    return this.#values.size;
  }

  get(name: string): AttributeValue | undefined {
    return this.#values.get(name);
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** This set and `other` together; a name in both is an error, never an overwrite. */
  with(other: AttributeSet): AttributeSet {
    const values = new Map(this.#values);
    for (const [name, value] of other) {
      if (values.has(name))
        throw new AttributeError('invalid_attribute_value', `attribute ${name} is set twice`);
      values.set(name, value);
    }
    return new AttributeSet(values);
  }

  names(): string[] {
    return [...this.#values.keys()];
  }

  [Symbol.iterator](): Iterator<[string, AttributeValue]> {
    return this.#values[Symbol.iterator]();
  }

  /** Plain JSON: strings as strings, uint64 as decimal strings (JSON numbers lose precision). */
  toJSON(): Record<string, string> {
    return Object.fromEntries(
      [...this.#values].map(([name, attribute]) => [name, String(attribute.value)]),
    );
  }
}

/** Builds one AttributeSet; `done()` hands its entries over, so a builder builds only once. */
export class AttributeSetBuilder {
  #values: Map<string, AttributeValue> | undefined = new Map();

  constructor(
    private readonly build: (values: ReadonlyMap<string, AttributeValue>) => AttributeSet,
  ) {}

  string(name: string, value: string): this {
    return this.#set(name, { type: 'string', value });
  }

  uint64(name: string, value: bigint | number): this {
    const big =
      typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
    if (big < 0n || big > MAX_UINT64) {
      throw new AttributeError(
        'invalid_attribute_value',
        `${name}: ${String(value)} is not a uint64`,
      );
    }
    return this.#set(name, { type: 'uint64', value: big });
  }

  done(): AttributeSet {
    const values = this.#open();
    this.#values = undefined;
    return this.build(values);
  }

  #set(name: string, value: AttributeValue): this {
    const values = this.#open();
    if (values.has(name)) {
      throw new AttributeError('invalid_attribute_value', `attribute ${name} is set twice`);
    }
    values.set(name, value);
    return this;
  }

  #open(): Map<string, AttributeValue> {
    if (this.#values === undefined) throw new Error('this AttributeSet builder is already done');
    return this.#values;
  }
}
