import * as v8 from "v8";
import * as vm from "vm";

// Tests cannot start Node with --expose-gc; this turns it on for the running process.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

/** What this process holds once garbage is collected: the JavaScript heap and the buffers outside it. */
export function settledMemoryBytes(): number {
  collectGarbage();
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}
