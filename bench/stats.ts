/** Megabytes, one decimal. */
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Milliseconds, two decimals. */
export const ms = (value: number) => (Number.isNaN(value) ? "n/a" : `${value.toFixed(2)} ms`);
