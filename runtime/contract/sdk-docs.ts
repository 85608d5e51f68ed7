// The SDK's declarations indexed by tool (generated/sdk-docs.json): written by the generator's sdk stage, read by
// code mode's search_docs. The file format both sides agree on.

/** Exact excerpts of generated/sdk.d.ts. */
export interface SdkDocs {
  tools: Record<
    string,
    {
      /** The tool's schema hash when generated: a catalog whose tool differs gets a signature from its own schema. */
      schemaHash: string;
      /** The method's JSDoc, as in `interface OpenAi`. */
      doc: string;
      /** The method declaration, as in `interface OpenAi` (shown as `openai.<declaration>`). */
      signature: string;
      /** Named types the signature uses (argument type first, then the result's). */
      types: string[];
      /** search_docs' default answer: the description's first sentence. */
      summary: string;
      /** search_docs' default answer: the declaration on one line, argument type inline with top-level fields only. */
      compact: string;
    }
  >;
  types: Record<string, string>;
  /**
   * Top-level fields on one line (larger nested objects as `{ … }`) of each component type a result names, and of
   * every declaration too large for `types`.
   */
  shapes: Record<string, string>;
  /** Fields holding anonymous objects, by dotted path (`FineTuningJob.error`): their declarations (see nestedMembers). */
  members: Record<string, string>;
}
