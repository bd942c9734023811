import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';

/** Opens a raw connection, writes `data`, and resolves with everything the server sent until it closed, and when. */
function exchange(port: number, data: string, { keepOpenMs = 10_000 } = {}): Promise<{ text: string; closedAfterMs: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started, socket }));
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${keepOpenMs} ms`));
    }, keepOpenMs).unref();
  });
}

function problemOf(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1], body: JSON.parse(body) };
}

t.test('connections are bounded in time and number, and refusals before parsing are problem documents', async (t) => {
  const { app, key } = await setupApp(t, { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_MAX_CONNECTIONS: '4' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };

  t.test('headers sent one byte at a time never finish: 408 within the headers timeout', async (t) => {
    const slow = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    t.ok(slow.closedAfterMs < 3_000, `closed after ${slow.closedAfterMs} ms`);
    const problem = problemOf(slow.text);
    t.match(problem.statusLine, /^HTTP\/1\.1 408/);
    t.equal(problem.contentType, 'application/problem+json');
    t.match(problem.body, { status: 408, code: 'request_timeout', type: 'urn:duban:problem:request-timeout' });
  });

  t.test('a body shorter than its Content-Length: 408 within the request timeout', async (t) => {
    const authorization = await key('agency', 'tj-hrss-bureau');
    const short = await exchange(port, `POST /v1/tasks:batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mode":`);
    t.ok(short.closedAfterMs < 4_000, `closed after ${short.closedAfterMs} ms`);
    t.match(short.text, /^HTTP\/1\.1 408/);
  });

  t.test('oversized headers: 431 problem document', async (t) => {
    const big = await exchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const problem = problemOf(big.text);
    t.match(problem.statusLine, /^HTTP\/1\.1 431/);
    t.equal(problem.contentType, 'application/problem+json');
    t.match(problem.body, { status: 431, code: 'headers_too_large', title: String, detail: String, requestId: String, instance: /^urn:uuid:/ });
  });

  t.test('malformed framing: 400 problem document', async (t) => {
    const bad = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    const problem = problemOf(bad.text);
    t.match(problem.statusLine, /^HTTP\/1\.1 400/);
    t.match(problem.body, { status: 400, code: 'bad_request' });
  });

  t.test('what Node would answer with an empty body is a problem document too', async (t) => {
    const noHost = problemOf((await exchange(port, 'GET /healthz HTTP/1.1\r\n\r\n')).text);
    t.match(noHost.statusLine, /^HTTP\/1\.1 400/);
    t.match(noHost.body, { status: 400, code: 'bad_request', detail: /Host/ });
    const expect = problemOf((await exchange(port, 'POST /v1/tasks:batch HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')).text);
    t.match(expect.statusLine, /^HTTP\/1\.1 417/);
    t.equal(expect.contentType, 'application/problem+json');
    t.match(expect.body, { status: 417, code: 'expectation_failed', instance: /^urn:uuid:/ });
    const tunnel = problemOf((await exchange(port, 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n')).text);
    t.match(tunnel.statusLine, /^HTTP\/1\.1 404/);
    t.match(tunnel.body, { status: 404, code: 'route_not_found' });
  });

  t.test('connections past HTTP_MAX_CONNECTIONS are refused at once', async (t) => {
    const held: Socket[] = [];
    t.teardown(() => held.forEach((socket) => socket.destroy()));
    for (let i = 0; i < 4; i++) {
      held.push(await new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { keepOpenMs: 2_000 });
    t.equal(refused.text, '', 'the fifth connection is closed without an answer');
    held.forEach((socket) => socket.destroy());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const served = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    t.match(served.text, /^HTTP\/1\.1 200/, 'served again once the others are gone');
  });
});

t.test('Expect: 100-continue is answered before the body is sent: 413 when no route takes that size, 100 Continue otherwise', async (t) => {
  const { app, key } = await setupApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const authorization = await key('admin');

  const huge = await exchange(port, `POST /v1/documents:import HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${9 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`);
  const problem = problemOf(huge.text);
  t.match(problem.statusLine, /^HTTP\/1\.1 413/, 'refused without waiting for the body');
  t.match(problem.body, { code: 'payload_too_large', detail: /8192 KiB/ });

  const body = JSON.stringify({ format: 'duban.document/1' });
  const small = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`POST /v1/documents:import?dryRun=true HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`));
    let text = '';
    let sent = false;
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      if (!sent && text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        sent = true;
        socket.write(body);
      }
    });
    socket.on('close', () => resolve(text));
  });
  t.match(small, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /, 'continued, then served');
});

t.test('a request whose bytes waited out the timeout while the process was busy is refused and not served', async (t) => {
  const { app, key } = await setupApp(t, { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1000' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const authorization = await key('agency', 'tj-hrss-bureau');
  const body = JSON.stringify({ note: '忙时送达的月报' });
  const request = `POST /v1/tasks/tj-2021-annex2-08/reports HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  // Another process sends the whole request while this one cannot read it, as under a long embedded-database statement.
  const client = spawn(process.execPath, ['-e', `const s = require('node:net').connect(${port}, '127.0.0.1', () => setTimeout(() => s.write(${JSON.stringify(request)}), 300)); let d = ''; s.on('data', (c) => (d += c)); s.on('close', () => process.stdout.write(d));`]);
  let text = '';
  client.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise((resolve) => client.on('close', resolve));
  await new Promise((resolve) => app.server.once('connection', resolve));
  const until = Date.now() + 2_500;
  while (Date.now() < until);
  await exited;
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const { body: events } = await getJson(app, '/v1/tasks/tj-2021-annex2-08/events');
  const served = events.items.some((event: any) => event.note === '忙时送达的月报');
  t.ok(status === 201 || status === 408, `answered ${status}`);
  t.equal(served, status === 201, status === 201 ? 'served, and said so' : 'refused, and not applied');
});
