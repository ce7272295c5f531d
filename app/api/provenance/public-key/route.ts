// The server's provenance signing key, public half (SPKI PEM), published so that exports can be verified offline.
import { env } from "@/server/env";
import { signingKey } from "@/server/provenance/keys";

export function GET(): Response {
  const key = signingKey(env().DATA_DIR);
  return new Response(key.publicKeyPem, { headers: { "content-type": "application/x-pem-file", "x-key-id": key.keyId } });
}
