/** A value as messages quote it: as JSON where it has a JSON form ("14" for the string, 14.5 for the number). */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

export function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
