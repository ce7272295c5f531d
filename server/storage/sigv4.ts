// AWS Signature Version 4 (HMAC-SHA256, node:crypto) for S3 requests, written from the AWS specification: the
// canonical request, the string to sign, the derived signing key and the Authorization header.
import { createHash, createHmac } from "node:crypto";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What is signed: the method, the URI path and query as sent, the headers to sign, the body's SHA-256 (hex). */
export interface SignableRequest {
  method: string;
  /** The path exactly as sent on the wire (already URI-encoded, e.g. by encodeKeyPath). */
  path: string;
  query?: Readonly<Record<string, string>>;
  /** Header names in any case; `host`, `x-amz-date` and `x-amz-content-sha256` must be among them. */
  headers: Readonly<Record<string, string>>;
  payloadSha256: string;
}

export interface SigningScope {
  region: string;
  service: string;
}

export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding as SigV4 wants it: every byte but A-Z a-z 0-9 - _ . ~ percent-encoded (upper-case hex). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An object key as a URI path: each segment encoded, the slashes kept (S3 encodes the path once). */
export const encodeKeyPath = (key: string): string => key.split("/").map(uriEncode).join("/");

/** `20130524T000000Z` for a date. */
export const amzDate = (date: Date): string => date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/** The query string, parameters sorted by encoded name, each name and value encoded. */
function canonicalQuery(query: Readonly<Record<string, string>> = {}): string {
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** Header names lower-cased and sorted; values trimmed, inner runs of spaces made one. */
function canonicalHeaders(headers: Readonly<Record<string, string>>): { lines: string; signed: string } {
  const entries = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/ +/g, " ")] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { lines: entries.map(([k, v]) => `${k}:${v}\n`).join(""), signed: entries.map(([k]) => k).join(";") };
}

export function canonicalRequest(request: SignableRequest): string {
  const { lines, signed } = canonicalHeaders(request.headers);
  return [request.method, request.path, canonicalQuery(request.query), lines, signed, request.payloadSha256].join("\n");
}

/** `YYYYMMDD/region/service/aws4_request`. */
const credentialScope = (date: string, scope: SigningScope) => `${date.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;

export function stringToSign(request: SignableRequest, scope: SigningScope): string {
  const date = headerValue(request.headers, "x-amz-date");
  return ["AWS4-HMAC-SHA256", date, credentialScope(date, scope), sha256Hex(canonicalRequest(request))].join("\n");
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secretAccessKey: string, date: string, scope: SigningScope): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date.slice(0, 8));
  return hmac(hmac(hmac(kDate, scope.region), scope.service), "aws4_request");
}

export function signature(request: SignableRequest, scope: SigningScope, secretAccessKey: string): string {
  const date = headerValue(request.headers, "x-amz-date");
  return createHmac("sha256", signingKey(secretAccessKey, date, scope)).update(stringToSign(request, scope), "utf8").digest("hex");
}

/** The Authorization header's value for the request. */
export function authorization(request: SignableRequest, scope: SigningScope, credentials: Credentials): string {
  const date = headerValue(request.headers, "x-amz-date");
  const { signed } = canonicalHeaders(request.headers);
  const sig = signature(request, scope, credentials.secretAccessKey);
  return `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope(date, scope)},SignedHeaders=${signed},Signature=${sig}`;
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string {
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  if (!found) throw new Error(`a SigV4 request needs the ${name} header`);
  return found[1].trim();
}
