// SigV4 signing checked against the AWS documentation's published example (S3 API Reference, "Signature
// Calculations for the Authorization Header: Transferring Payload in a Single Chunk", Example: GET Object).
import { describe, expect, it } from "vitest";
import { amzDate, authorization, canonicalRequest, EMPTY_SHA256, encodeKeyPath, signature, stringToSign, uriEncode } from "./sigv4";

const credentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const scope = { region: "us-east-1", service: "s3" };
const getObject = {
  method: "GET",
  path: "/test.txt",
  headers: {
    Host: "examplebucket.s3.amazonaws.com",
    Range: "bytes=0-9",
    "x-amz-content-sha256": EMPTY_SHA256,
    "x-amz-date": "20130524T000000Z",
  },
  payloadSha256: EMPTY_SHA256,
};

describe("SigV4, the AWS documentation's GET Object example", () => {
  it("makes the documented canonical request", () => {
    expect(canonicalRequest(getObject)).toBe(
      [
        "GET",
        "/test.txt",
        "",
        "host:examplebucket.s3.amazonaws.com",
        "range:bytes=0-9",
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-amz-date:20130524T000000Z",
        "",
        "host;range;x-amz-content-sha256;x-amz-date",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ].join("\n"),
    );
  });

  it("makes the documented string to sign", () => {
    expect(stringToSign(getObject, scope)).toBe(
      ["AWS4-HMAC-SHA256", "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"].join("\n"),
    );
  });

  it("makes the documented signature and Authorization header", () => {
    expect(signature(getObject, scope, credentials.secretAccessKey)).toBe("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    expect(authorization(getObject, scope, credentials)).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });
});

describe("SigV4 encoding", () => {
  it("encodes every byte but the unreserved ones, keeps a key's slashes, and sorts the query", () => {
    expect(uriEncode("a b*(c)!'~_.-")).toBe("a%20b%2A%28c%29%21%27~_.-");
    expect(encodeKeyPath("runs/ab c/model/weights.safetensors")).toBe("runs/ab%20c/model/weights.safetensors");
    const request = { ...getObject, path: "/", query: { prefix: "a/b", "list-type": "2" } };
    expect(canonicalRequest(request).split("\n")[2]).toBe("list-type=2&prefix=a%2Fb");
    expect(amzDate(new Date("2013-05-24T00:00:00.123Z"))).toBe("20130524T000000Z");
  });
});
