// The server's Ed25519 signing key for provenance exports and tree heads: created on first use in
// DATA_DIR/keys/provenance-ed25519.pem (readable by the server's user only); its public key is published.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { keyIdOf, publicKeyPem } from "./dsse";

export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  keyId: string;
}

const cache = new Map<string, SigningKey>();

export function signingKey(dataDir: string): SigningKey {
  const file = path.join(dataDir, "keys", "provenance-ed25519.pem");
  const cached = cache.get(file);
  if (cached) return cached;
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync("ed25519");
    // "wx": never overwrite a key another process wrote meanwhile.
    try {
      writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicKey = createPublicKey(privateKey);
  const key = { privateKey, publicKeyPem: publicKeyPem(publicKey), keyId: keyIdOf(publicKey) };
  cache.set(file, key);
  return key;
}
