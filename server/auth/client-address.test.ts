// The client's address: one spelling per address, proxy ranges, and the socket's address stamped on real requests
// over whatever the client sent under the same header.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { canonicalAddress, parseProxyRange, REMOTE_ADDRESS_HEADER, stampRemoteAddresses, trustedProxies } from "./client-address";

describe("client addresses", () => {
  it("spells each address one way, and refuses what is not one", () => {
    expect(canonicalAddress(" 10.0.0.1 ")).toBe("10.0.0.1");
    expect(canonicalAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(canonicalAddress("::FFFF:7f00:1")).toBe("127.0.0.1");
    expect(canonicalAddress("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    for (const bad of ["unknown", "1.2.3.4:80", "[::1]", "", "300.1.1.1"]) expect(canonicalAddress(bad), bad).toBeNull();
  });

  it("reads addresses and CIDR ranges of either family", () => {
    expect(parseProxyRange("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseProxyRange("::1")).toEqual({ address: "::1", prefix: 128, family: "ipv6" });
    for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8/8", "example.com", "10.0.0.0/x"]) expect(parseProxyRange(bad), bad).toBeNull();
    const trusted = trustedProxies(["10.0.0.0/8", "2001:db8::/32"]);
    expect([trusted("10.255.0.1"), trusted("::ffff:10.0.0.1"), trusted("2001:db8::5"), trusted("11.0.0.1"), trusted("nonsense")]).toEqual([true, true, true, false, false]);
  });

  it("stamps each request with its socket's address, replacing a forged one", async () => {
    stampRemoteAddresses();
    stampRemoteAddresses();
    const server = http.createServer((req, res) => res.end(String(req.headers[REMOTE_ADDRESS_HEADER])));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/`, { headers: { [REMOTE_ADDRESS_HEADER]: "6.6.6.6" } });
      expect(canonicalAddress(await answer.text())).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });
});
