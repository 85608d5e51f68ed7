// Bad configuration (filters, base URL) is reported with a code and the option it concerns, so each front end
// (the CLI's flags, a library caller's option names, a managed server's REST fields) can name it in its own terms.

export type OptionErrorCode = 'unknown_value' | 'empty_selection' | 'invalid_url' | 'credentials_in_url';

/** The option a message is about, as named in `OpenAiToolsOptions`. */
export type OptionName = 'methods' | 'tags' | 'tools' | 'excludeTools' | 'baseUrl';

export class OptionError extends Error {
  constructor(
    readonly code: OptionErrorCode,
    readonly option: OptionName,
    message: string,
    /** For `unknown_value`: the values that were not recognized, and the closest valid ones. */
    readonly details: { unknown?: string[]; suggestions?: string[] } = {},
  ) {
    super(message);
    this.name = 'OptionError';
  }
}
