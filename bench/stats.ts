import * as os from "os";

/** Megabytes, one decimal. */
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Milliseconds, two decimals. */
export const ms = (value: number) => (Number.isNaN(value) ? "n/a" : `${value.toFixed(2)} ms`);

/** The machine a run was measured on, printed first so figures can be compared. */
export const machineLine = () => `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${mb(os.totalmem())} RAM, node ${process.version}`;

/** A numeric command-line option, refused unless it is a finite number above the minimum (or equal to it, where `orEqual`). */
export function numberOption(flag: string, text: string | undefined, minimum: number, orEqual: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum || (!orEqual && value === minimum)) {
    throw new Error(`--${flag} must be a number ${orEqual ? "≥" : ">"} ${minimum} (got ${JSON.stringify(text)})`);
  }
  return value;
}
