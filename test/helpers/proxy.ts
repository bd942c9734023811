import { createServer, type Socket, connect } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Cuts every open connection and refuses new ones, as a database that went away would. */
  cut(): void;
  /**
   * Lets connections open (startup and authentication pass) but cuts each one as soon as it
   * sends a statement: a database that dies between handing out a connection and its first query.
   */
  cutAtNextStatement(): void;
  /** Lets connections through again. */
  restore(): void;
  close(): Promise<void>;
}

/** A TCP relay to host:port that a test can cut and restore, to play a database outage in-process. */
export async function startProxy(host: string, port: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let cutAtStatement = false;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    // Frontend messages start with their type: Q is a simple query, P the Parse of an extended one.
    client.on('data', (chunk: Buffer) => {
      if (cutAtStatement && (chunk[0] === 0x51 || chunk[0] === 0x50)) {
        client.destroy();
        upstream.destroy();
      } else upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy did not get a port');
  return {
    port: address.port,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    cutAtNextStatement() {
      cutAtStatement = true;
    },
    restore() {
      cut = false;
      cutAtStatement = false;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
