/** Path segments are ids chosen by users (target ids are free text); never splice them in raw. */
export const seg = (value: string): string => encodeURIComponent(value);
