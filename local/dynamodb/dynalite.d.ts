// dynalite ships no types: the one function the local runtime calls.
declare module "dynalite" {
  import type { Server } from "http";
  function dynalite(options?: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }): Server;
  export = dynalite;
}
