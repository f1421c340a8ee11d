import net from 'node:net';

/** A loopback port nothing listens on: one the OS just handed out and took back (fetch refuses well-known ones such as 9). */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
