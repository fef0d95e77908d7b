/** DELETE routes answer the JSON empty string `""` (docs/protocol.md, Conventions). */
export const EMPTY_JSON_STRING = '""';
