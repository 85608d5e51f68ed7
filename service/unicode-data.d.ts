// Types for the one file of unicode-match-property-value-ecmascript that names.ts reads (the package has none).
declare module 'unicode-match-property-value-ecmascript/data/mappings.js' {
  /** Property name → (alias or value → canonical value). */
  const mappings: Map<string, Map<string, string>>;
  export default mappings;
}
