import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local webhook receiver: records every request and answers with `respond` (200 by default).
 * stop() kills it mid-stream — open connections included — and start() brings it back on the same port.
 */
export async function startReceiver() {
  const received: Received[] = [];
  let respond: () => { status: number; headers?: Record<string, string> } = () => ({ status: 200 });
  let server: Server | null = null;
  let port = 0;
  const sockets = new Set<Socket>();

  const start = async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        const { status, headers } = respond();
        response.writeHead(status, headers).end();
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };

  const stop = async () => {
    if (!server) return;
    const closing = once(server, 'close');
    server.close();
    for (const socket of sockets) socket.destroy();
    await closing;
    server = null;
  };

  await start();
  return {
    received,
    url: (path = '/hooks/duban') => `http://127.0.0.1:${port}${path}`,
    respondWith(next: typeof respond) {
      respond = next;
    },
    start,
    stop,
  };
}
