import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { Duplex } from "node:stream";
import tls from "node:tls";

/** PEM files made with openssl for one test: a CA, a server it signed, a client it did not. */
export interface TestCertificates {
  caCert: string;
  serverKey: string;
  serverCert: string;
  /** A real private key, with a certificate no CA of the server's trusts. */
  untrustedClientKey: string;
  untrustedClientCert: string;
}

/** Generates {@link TestCertificates} with `openssl` into `dir` (EC keys: fast). */
export function makeCertificates(dir: string): TestCertificates {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=sqlblocks test CA");
  openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(path.join(dir, "server.ext"), "subjectAltName = IP:127.0.0.1, DNS:localhost\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
  openssl("req", "-x509", ...ec, "-keyout", "client.key", "-out", "client.crt", "-days", "2", "-subj", "/CN=untrusted client");
  const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
  return {
    caCert: read("ca.crt"),
    serverKey: read("server.key"),
    serverCert: read("server.crt"),
    untrustedClientKey: read("client.key"),
    untrustedClientCert: read("client.crt"),
  };
}

/** MySQL capability flags the fake server announces. */
const CLIENT = { LONG_PASSWORD: 0x1, CONNECT_WITH_DB: 0x8, PROTOCOL_41: 0x200, SSL: 0x800, TRANSACTIONS: 0x2000, SECURE_CONNECTION: 0x8000, PLUGIN_AUTH: 0x80000 };

/** A MySQL protocol v10 initial handshake packet that offers TLS. */
function mysqlHandshake(): Buffer {
  const flags = Object.values(CLIENT).reduce((a, b) => a | b, 0);
  const scramble = Buffer.from("abcdefghijklmnopqrst");
  const payload = Buffer.concat([
    Buffer.from([10]),
    Buffer.from("10.11.0-tls-canary\0"),
    Buffer.from([1, 0, 0, 0]), // connection id
    scramble.subarray(0, 8),
    Buffer.from([0]),
    Buffer.from([flags & 0xff, (flags >> 8) & 0xff]),
    Buffer.from([45]), // utf8mb4
    Buffer.from([2, 0]), // status: autocommit
    Buffer.from([(flags >> 16) & 0xff, (flags >> 24) & 0xff]),
    Buffer.from([21]),
    Buffer.alloc(10),
    scramble.subarray(8),
    Buffer.from([0]),
    Buffer.from("mysql_native_password\0"),
  ]);
  const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, (payload.length >> 16) & 0xff, 0]);
  return Buffer.concat([header, payload]);
}

/**
 * A server that speaks just enough PostgreSQL or MySQL to start TLS (PostgreSQL: answers the
 * SSLRequest with `S`; MySQL: offers CLIENT_SSL in its handshake and waits for the client's
 * SSL request), then requires a client certificate signed by its own CA. It never gets to
 * authentication: whatever happens is decided by the TLS layer, which it records.
 */
export class ClientCertTlsServer {
  /** Connections that got as far as starting TLS (the server side of the handshake). */
  tlsStarted = 0;
  /** Errors the server's TLS layer raised, e.g. a missing or untrusted client certificate. */
  readonly tlsErrors: string[] = [];
  /** Handshakes that succeeded (must stay 0: no client here has a trusted certificate). */
  secured = 0;
  readonly #server: net.Server;
  readonly #tls: tls.Server;
  readonly #sockets = new Set<net.Socket>();

  constructor(
    readonly protocol: "postgres" | "mysql",
    readonly certificates: TestCertificates,
  ) {
    this.#server = net.createServer((socket) => this.#serve(socket));
    this.#tls = tls.createServer(
      // The certificate is checked here rather than by `rejectUnauthorized`, so the reason of
      // a rejection is recorded.
      { key: certificates.serverKey, cert: certificates.serverCert, ca: certificates.caCert, requestCert: true, rejectUnauthorized: false },
      (secure) => {
        if (secure.authorized) this.secured++;
        else this.tlsErrors.push(String(secure.authorizationError));
        secure.destroy();
      },
    );
    // Errors of the server's TLS layer: no certificate, an untrusted one, a broken handshake.
    this.#tls.on("tlsClientError", (error: Error & { code?: string }) => this.tlsErrors.push(error.code ?? error.message));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return (this.#server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #serve(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => undefined);
    if (this.protocol === "mysql") socket.write(mysqlHandshake());
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const needed = this.protocol === "postgres" ? 8 : buffer.length >= 4 ? 4 + buffer.readUIntLE(0, 3) : Number.POSITIVE_INFINITY;
      if (buffer.length < needed) return;
      socket.off("data", onData);
      const request = buffer.subarray(0, needed);
      const rest = buffer.subarray(needed);
      const wantsTls =
        this.protocol === "postgres" ? request.readInt32BE(4) === 80877103 : request.length >= 8 && (request.readUInt32LE(4) & CLIENT.SSL) !== 0;
      if (!wantsTls) {
        socket.destroy();
        return;
      }
      if (this.protocol === "postgres") socket.write("S");
      this.#startTls(socket, rest);
    };
    socket.on("data", onData);
  }

  /** TLS over the socket, fed through a stream so bytes that came with the request are kept. */
  #startTls(socket: net.Socket, rest: Buffer): void {
    const carrier = new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        socket.write(chunk, callback);
      },
      final(callback) {
        socket.end();
        callback();
      },
    });
    if (rest.length) carrier.push(rest);
    socket.on("data", (chunk) => carrier.push(chunk));
    socket.on("end", () => carrier.push(null));
    this.tlsStarted++;
    this.#tls.emit("connection", carrier);
    carrier.on("error", () => socket.destroy());
    carrier.on("close", () => socket.destroy());
  }
}
