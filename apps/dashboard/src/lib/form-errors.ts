/**
 * Messages per field, as the server's `fieldErrors` carry them. The forms built on `components/form`
 * keep their errors in react-hook-form; this shape remains for the audit filter form's own checks.
 */
export type FieldErrors = Record<string, string[]>;
