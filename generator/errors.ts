// Errors a user of the generator can hit, each with a stable code so scripts and tests can tell them apart
// without matching message text. The message always says where the problem is.

export type SpecErrorCode =
  | 'SPEC_NOT_FOUND' // no file, or the download failed
  | 'SPEC_SHA256' // bytes do not match the pin
  | 'SPEC_PARSE' // not YAML/JSON, or not a mapping
  | 'SPEC_LIMIT' // an alias bomb, or nesting or size past the limits
  | 'SPEC_VERSION' // not OpenAPI 3.0/3.1
  | 'SPEC_REF' // a `$ref` that is external, dangling or circular
  | 'SPEC_INVALID' // structurally not OpenAPI
  | 'SPEC_STRICT' // only keyword violations, refused because of --strict
  | 'SPEC_EMPTY' // no operation becomes a tool
  | 'SPEC_NAME' // a tool name that is invalid or taken twice
  | 'SPEC_NOT_PINNED'; // another version, to be written over the committed generated/ without --force

/** The spec cannot be turned into a catalog. */
export class SpecError extends Error {
  constructor(
    message: string,
    readonly code: SpecErrorCode = 'SPEC_INVALID',
  ) {
    super(message);
    this.name = 'SpecError';
  }
}

/** A `$ref` that points nowhere, outside the document, or around in a circle. */
export class RefError extends SpecError {
  constructor(
    /** JSON pointer of the `$ref` that failed. */
    readonly at: string,
    message: string,
  ) {
    super(`${at}: ${message}`, 'SPEC_REF');
    this.name = 'RefError';
  }
}

/** `specs/openai.pin.json` is missing or malformed. */
export class PinError extends Error {
  constructor(
    message: string,
    readonly code: 'PIN_NOT_FOUND' | 'PIN_INVALID',
  ) {
    super(message);
    this.name = 'PinError';
  }
}

/** `specs/overrides.yaml` is not valid YAML or does not match its schema; the message names file and line. */
export class OverridesError extends Error {
  readonly code = 'OVERRIDES_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'OverridesError';
  }
}
