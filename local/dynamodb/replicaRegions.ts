import * as fs from "fs";
import * as path from "path";

/** Where the regions configured at the last start are recorded. */
const REGIONS_FILE = "regions.json";

/**
 * Brings the replicas kept in `dir` in line with the configured `regions`, before they start: the data
 * of a region no longer configured is deleted (AWS deletes a removed region's replica), and so is the
 * stale data of a region added back. Without a record (a directory of an older runtime), every replica
 * kept is taken as current. @returns the configured regions whose replica is current; the others start empty.
 */
export function keepCurrentReplicas(dir: string, regions: readonly string[]): string[] {
  const file = path.join(dir, REGIONS_FILE);
  const kept = fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const recorded = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as string[]) : kept;
  const current = regions.filter((region) => recorded.includes(region) && kept.includes(region));
  for (const region of kept) if (!current.includes(region)) fs.rmSync(path.join(dir, region), { recursive: true, force: true });
  return current;
}

/** Records `regions` as the ones whose replicas are current, once every replica holds the history. */
export function recordRegions(dir: string, regions: readonly string[]): void {
  fs.writeFileSync(path.join(dir, REGIONS_FILE), JSON.stringify(regions));
}
