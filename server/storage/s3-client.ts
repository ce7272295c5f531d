// The few S3 calls the model store needs (PutObject, GetObject, ListObjectsV2, DeleteObject), over fetch with SigV4
// signing (sigv4.ts): for AWS S3 and S3-compatible services (MinIO and the like). Errors name the bucket, the key and
// the HTTP status, never the credentials.
import { amzDate, authorization, EMPTY_SHA256, encodeKeyPath, sha256Hex, type Credentials } from "./sigv4";

export interface S3Config {
  bucket: string;
  /** e.g. `http://minio.internal:9000`; unset: AWS (`https://s3.<region>.amazonaws.com`). */
  endpoint?: string;
  region: string;
  credentials: Credentials;
  /** `endpoint/bucket/key` rather than `bucket.endpoint/key` (the usual form for S3-compatible services). */
  forcePathStyle: boolean;
}

/** A failed S3 call: the operation, `s3://bucket/key`, the HTTP status and S3's error code. */
export class S3Error extends Error {
  override name = "S3Error";
  constructor(
    readonly operation: string,
    readonly bucket: string,
    readonly key: string,
    readonly status: number | null,
    readonly code: string | null,
    detail: string,
  ) {
    super(`S3 ${operation} s3://${bucket}/${key} failed: ${status === null ? detail : `HTTP ${status}${code ? ` ${code}` : ""}${detail ? `: ${detail}` : ""}`}`);
  }
}

export interface ListedObject {
  key: string;
  size: number;
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const decodeXml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : XML_ENTITIES[e.toLowerCase()]!,
  );
const xmlTags = (xml: string, tag: string): string[] => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]!);
const xmlTag = (xml: string, tag: string): string | undefined => xmlTags(xml, tag)[0];

export class S3Client {
  private readonly base: URL;

  constructor(readonly config: S3Config) {
    this.base = new URL(config.endpoint ?? `https://s3.${config.region}.amazonaws.com`);
  }

  /** The object's URL (path style or virtual-hosted), the key encoded once per segment. */
  private url(key: string, query: Record<string, string> = {}): URL {
    const url = new URL(this.base.toString());
    const root = url.pathname.replace(/\/+$/, "");
    if (this.config.forcePathStyle) url.pathname = `${root}/${this.config.bucket}${key ? `/${encodeKeyPath(key)}` : ""}`;
    else {
      url.hostname = `${this.config.bucket}.${url.hostname}`;
      url.pathname = `${root}/${encodeKeyPath(key)}`;
    }
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  /** Sends one signed request; a status outside 2xx (or `okStatuses`) becomes an S3Error. */
  private async send(operation: string, method: string, key: string, options: { query?: Record<string, string>; body?: Uint8Array<ArrayBuffer>; okStatuses?: number[] } = {}) {
    const url = this.url(key, options.query);
    const payloadSha256 = options.body ? sha256Hex(options.body) : EMPTY_SHA256;
    const headers: Record<string, string> = { host: url.host, "x-amz-content-sha256": payloadSha256, "x-amz-date": amzDate(new Date()) };
    // The path as it goes on the wire (URL keeps an encoded path as it is).
    const auth = authorization({ method, path: url.pathname, query: options.query, headers, payloadSha256 }, { region: this.config.region, service: "s3" }, this.config.credentials);
    const { host: _host, ...sent } = headers; // fetch sets Host itself, from the URL (the value signed)
    let response: Response;
    try {
      response = await fetch(url, { method, headers: { ...sent, authorization: auth }, body: options.body });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new S3Error(operation, this.config.bucket, key, null, null, `cannot reach ${this.base.origin}: ${cause}`);
    }
    if (response.ok || options.okStatuses?.includes(response.status)) return response;
    const text = await response.text().catch(() => "");
    const message = xmlTag(text, "Message");
    throw new S3Error(operation, this.config.bucket, key, response.status, xmlTag(text, "Code") ?? null, message ? decodeXml(message) : response.statusText);
  }

  async putObject(key: string, body: Uint8Array<ArrayBuffer>): Promise<void> {
    const response = await this.send("PutObject", "PUT", key, { body });
    await response.arrayBuffer();
  }

  /** The object's body as a stream (the caller reads it to the end), or null when there is no such object. */
  async getObject(key: string): Promise<ReadableStream<Uint8Array> | null> {
    const response = await this.send("GetObject", "GET", key, { okStatuses: [404] });
    if (response.status === 404) {
      await response.arrayBuffer();
      return null;
    }
    return response.body ?? new ReadableStream({ start: (c) => c.close() });
  }

  async getObjectBytes(key: string): Promise<Buffer | null> {
    const body = await this.getObject(key);
    return body && Buffer.from(await new Response(body).arrayBuffer());
  }

  /** Every object under `prefix` (ListObjectsV2, page after page). */
  async listObjects(prefix: string): Promise<ListedObject[]> {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, string> = { "list-type": "2", prefix, ...(token ? { "continuation-token": token } : {}) };
      const xml = await (await this.send("ListObjectsV2", "GET", "", { query })).text();
      for (const item of xmlTags(xml, "Contents")) objects.push({ key: decodeXml(xmlTag(item, "Key") ?? ""), size: Number(xmlTag(item, "Size") ?? NaN) });
      const truncated = xmlTag(xml, "IsTruncated") === "true";
      token = truncated ? xmlTag(xml, "NextContinuationToken") : undefined;
      if (truncated && !token) throw new S3Error("ListObjectsV2", this.config.bucket, prefix, null, null, "a truncated listing without a continuation token");
    } while (token);
    return objects;
  }

  async deleteObject(key: string): Promise<void> {
    await (await this.send("DeleteObject", "DELETE", key)).arrayBuffer();
  }
}
