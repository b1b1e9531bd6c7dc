export type AttributeErrorCode =
  | 'template_syntax'
  | 'unknown_attribute'
  | 'missing_attribute'
  | 'invalid_spiffe_id_path'
  | 'invalid_attribute_value';

const attributeErrorBrand = Symbol.for('@attestor/attributes/AttributeError');

/** A template that cannot be parsed or rendered, or an attribute value of the wrong shape. */
export class AttributeError extends Error {
  readonly [attributeErrorBrand] = true;
  override readonly name = 'AttributeError';

  constructor(
    readonly code: AttributeErrorCode,
    message: string,
    /** For template syntax errors: the 1-based column of the problem. */
    readonly column?: number,
    /** For missing attributes: the attribute's name. */
    readonly attribute?: string,
  ) {
    super(message);
  }

  static is(value: unknown): value is AttributeError {
    return typeof value === 'object' && value !== null && attributeErrorBrand in value;
  }
}
