import net from "node:net";

/**
 * A stand-in PostgreSQL server that asks for a clear-text password and rejects it, quoting
 * the password back in its error, as a careless proxy or server might. The local test
 * server uses trust authentication, so this is how a rejected password is probed
 * independently of pg_hba.conf. It records every password it receives.
 */
export class FakePasswordRejectingServer {
  readonly passwords: string[] = [];
  readonly #server = net.createServer((socket) => this.#serve(socket));
  readonly #sockets = new Set<net.Socket>();

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
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (true) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === 80877103 || code === 80877104) {
            socket.write("N"); // no SSL / GSS encryption
            continue;
          }
          started = true;
          socket.write(message("R", int32(3))); // AuthenticationCleartextPassword
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const type = String.fromCharCode(buffer[0]!);
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        if (type === "p") {
          const password = body.subarray(0, body.indexOf(0)).toString("utf8");
          this.passwords.push(password);
          const fields = [
            ["S", "FATAL"],
            ["V", "FATAL"],
            ["C", "28P01"],
            ["M", `password authentication failed for user "app" (got "${password}", ${encodeURIComponent(password)})`],
            ["D", `connection string was postgresql://app:${encodeURIComponent(password)}@127.0.0.1/shop`],
          ];
          const payload = Buffer.concat([
            ...fields.map(([code, text]) => Buffer.concat([Buffer.from(code!), Buffer.from(text!, "utf8"), Buffer.from([0])])),
            Buffer.from([0]),
          ]);
          socket.end(message("E", payload));
          return;
        }
        socket.destroy();
        return;
      }
    });
  }
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function message(type: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(payload.length + 4), payload]);
}
