import net from "node:net";

/** A local TCP server that accepts connections and drops them at once: a "broken server". */
export async function droppingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A local TCP port that nothing listens on (bound once, then released): "connection refused". */
export async function closedPort(): Promise<number> {
  const server = await droppingServer();
  await server.close();
  return server.port;
}
