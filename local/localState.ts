import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadOrCreateSecrets, type StackSecrets } from "./localSecrets";
import { ensureCertificate, type LocalCertificate } from "./tls";

/** What a local stack keeps between starts, and where. */
export interface LocalState {
  /** The state directory (`.globalws/` under `npm start`). */
  readonly dir: string;
  readonly certificate: LocalCertificate;
  readonly secrets: StackSecrets;
  /** Removes the directory if it was a temporary one; a given directory is kept. */
  release(): void;
}

/** The file in the state directory that holds the keys, credentials and API ids. */
const SECRETS_FILE = "local-secrets.json";

/**
 * Opens the state of `stack` in `dir`: the TLS certificate and the stack's keys, credentials and API
 * ids for `regions`, each made on first use and reused after. Without `dir`, a new temporary
 * directory, so nothing is shared with another run (tests).
 */
export async function openLocalState(dir: string | undefined, stack: string, regions: readonly string[]): Promise<LocalState> {
  const stateDir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "globalws-local-"));
  const release = () => {
    if (dir === undefined) fs.rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const certificate = await ensureCertificate(stateDir);
    const secrets = loadOrCreateSecrets(path.join(stateDir, SECRETS_FILE), stack, regions);
    return { dir: stateDir, certificate, secrets, release };
  } catch (error) {
    release();
    throw error;
  }
}
