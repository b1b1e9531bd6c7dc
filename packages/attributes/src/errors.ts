import { CodedError } from '@attestor/ports';

export type AttributeErrorCode =
  | 'template_syntax'
  | 'unknown_attribute'
  | 'missing_attribute'
  | 'invalid_spiffe_id_path'
  | 'invalid_attribute_value';

/** A template that cannot be parsed or rendered, or an attribute value of the wrong shape. */
export class AttributeError extends CodedError<AttributeErrorCode> {
  static override readonly brand = '@attestor/attributes/AttributeError';
  override readonly name = 'AttributeError';

  constructor(
    code: AttributeErrorCode,
    message: string,
    /** For template syntax errors: the 1-based column of the problem. */
    readonly column?: number,
    /** For missing attributes: the attribute's name. */
    readonly attribute?: string,
  ) {
    super(code, message);
  }
}
