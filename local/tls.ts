import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { generate } from "selfsigned";

/** The TLS identity every local endpoint serves. */
export interface LocalCertificate {
  readonly key: string;
  readonly cert: string;
  /** The PEM certificate file, for clients to trust (e.g. `NODE_EXTRA_CA_CERTS`). */
  readonly certificateFile: string;
}

/**
 * Returns the self-signed certificate for `127.0.0.1` and `localhost` kept in `stateDir`,
 * making it on first use (valid for a year; remade when expired or unreadable).
 */
export async function ensureCertificate(stateDir: string): Promise<LocalCertificate> {
  const existing = readCertificate(stateDir);
  if (existing) return existing;
  const certificateFile = path.join(stateDir, "localhost-cert.pem");
  const keyFile = path.join(stateDir, "localhost-key.pem");
  const now = new Date();
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] },
    ],
  });
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  fs.writeFileSync(certificateFile, pems.cert);
  return { key: pems.private, cert: pems.cert, certificateFile };
}

/** The certificate kept in `stateDir`, if it is there and valid for at least another day; never makes one. */
export function readCertificate(stateDir: string): LocalCertificate | undefined {
  const certificateFile = path.join(stateDir, "localhost-cert.pem");
  const keyFile = path.join(stateDir, "localhost-key.pem");
  if (!fs.existsSync(certificateFile) || !fs.existsSync(keyFile)) return undefined;
  const cert = fs.readFileSync(certificateFile, "utf8");
  return stillValid(cert) ? { key: fs.readFileSync(keyFile, "utf8"), cert, certificateFile } : undefined;
}

function stillValid(pem: string): boolean {
  try {
    return new Date(new X509Certificate(pem).validTo).getTime() > Date.now() + 24 * 3600 * 1000;
  } catch {
    return false;
  }
}
