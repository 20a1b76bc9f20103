import { SqlConnector } from "@sqlblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CanaryProbes, PASSWORD_CANARY, SSL_KEY_CANARY } from "./canary.js";
import { probeServerCase } from "./canary-server.js";
import { tempDir } from "./env.js";
import { ClientCertTlsServer, makeCertificates, type TestCertificates } from "./tls-server.js";

/**
 * The TLS canary cases of one database: a local server that starts TLS and requires a client
 * certificate signed by its own CA (see {@link ClientCertTlsServer}), reached with
 *
 * - an `ssl.key` that is not a key (the canary): the client's TLS layer rejects it, after the
 *   server agreed to TLS, so the key really was handed to TLS;
 * - a real private key whose certificate the server does not trust: the server's TLS layer
 *   rejects the certificate the client signed with that key.
 *
 * Either way the error, every rendering of the connector and the CLI's output must show
 * neither the key nor the password.
 */
export function describeTlsCanary(probes: CanaryProbes, home: string, label: "pg" | "mysql"): void {
  const protocol = label === "pg" ? "postgres" : "mysql";
  const driver = label === "pg" ? "postgresql+pg" : "mariadb+mysql2";
  const folder = tempDir(`tls-${label}`);
  let certificates: TestCertificates;
  let server: ClientCertTlsServer;
  let port = 0;

  beforeAll(async () => {
    certificates = makeCertificates(folder);
    server = new ClientCertTlsServer(protocol, certificates);
    port = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
  });

  const connector = (ssl: { key: string; cert: string; ca: string }) =>
    new SqlConnector({
      connectionInfo: { driver, host: "127.0.0.1", port, database: "shop", username: "app", password: PASSWORD_CANARY },
      ssl,
      connectTimeoutMs: 5_000,
      pool: { max: 1 },
    });

  describe(`canary: TLS to a ${protocol} server that requires a client certificate`, () => {
    it("an ssl.key the client's TLS layer rejects (the canary): a TLS error, no secret anywhere", { timeout: 300_000 }, async () => {
      const started = server.tlsStarted;
      await probeServerCase(
        probes,
        home,
        `${label}-tls-bad-key`,
        {
          probe: "ssl key the client's TLS layer rejects",
          make: () => connector({ key: SSL_KEY_CANARY, cert: certificates.untrustedClientCert, ca: certificates.caCert }),
          // OpenSSL's decoder refused the key: the error comes from the TLS layer.
          driverCode: /^ERR_OSSL_/,
        },
        label,
      );
      // Every attempt (5 entry points, 2 CLI block tests) got the server to start TLS.
      expect(server.tlsStarted - started).toBeGreaterThanOrEqual(7);
      expect(server.secured).toBe(0);
      probes.record(`${label} TLS: the server agreed to TLS before the key was refused`);
    });

    it("a real key whose certificate the server's TLS layer rejects: no key or password anywhere", { timeout: 300_000 }, async () => {
      probes.addSecret(certificates.untrustedClientKey);
      const rejected = server.tlsErrors.length;
      await probeServerCase(
        probes,
        home,
        `${label}-tls-untrusted`,
        {
          probe: "client certificate the server's TLS layer rejects",
          make: () => connector({ key: certificates.untrustedClientKey, cert: certificates.untrustedClientCert, ca: certificates.caCert }),
        },
        label,
      );
      // The server's TLS layer saw the certificate the client signed with the key, and refused it.
      const reasons = server.tlsErrors.slice(rejected);
      expect(reasons.length).toBeGreaterThanOrEqual(7);
      expect(new Set(reasons)).toEqual(new Set(["DEPTH_ZERO_SELF_SIGNED_CERT"]));
      expect(server.secured).toBe(0);
      probes.record(`${label} TLS: the server's TLS layer rejected the client certificate`);
    });
  });
}
