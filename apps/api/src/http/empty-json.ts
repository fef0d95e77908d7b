/** DELETE routes answer the JSON empty string `""` (§5.2). */
export const EMPTY_JSON_STRING = '""';
