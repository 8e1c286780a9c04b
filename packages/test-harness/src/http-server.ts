/**
 * A small HTTP file server on 127.0.0.1 for download tests: Range requests, ETags, and
 * failure modes (drop the connection half way, stall, answer 500 first, redirect, wrong bytes,
 * slow transfer). It counts requests and body bytes per path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a path behaves. */
export type Mode =
  | { kind: 'ok' }
  | { kind: 'drop-half'; times: number }
  | { kind: 'stall-half'; times: number }
  | { kind: 'fail'; status: number; times: number }
  | { kind: 'redirect'; to: string }
  | { kind: 'wrong' }
  | { kind: 'slow'; chunkBytes: number; delayMs: number }
  /** Answers 200 without a Content-Length and closes the connection cleanly half way (`times` times). */
  | { kind: 'close-half-no-length'; times: number };

/** Per-path statistics. */
export interface PathStats {
  /** GET requests received. */
  requests: number;
  /** Requests answered 206. */
  rangeRequests: number;
  /** Body bytes written. */
  bytesSent: number;
}

/** A running test server. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:12345`. */
  url: string;
  /** Serves `bytes` at `path` in `mode`. */
  serve(path: string, bytes: Uint8Array, mode?: Mode): void;
  /** Changes the mode of `path`. */
  setMode(path: string, mode: Mode): void;
  /** Statistics of `path`. */
  stats(path: string): PathStats;
  /** Stops the server and every open connection. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a server on an ephemeral port of 127.0.0.1. */
export async function startTestServer(): Promise<TestServer> {
  const files = new Map<string, { bytes: Uint8Array; mode: Mode }>();
  const stats = new Map<string, PathStats>();
  const stat = (path: string) => {
    let s = stats.get(path);
    if (!s) {
      s = { requests: 0, rangeRequests: 0, bytesSent: 0 };
      stats.set(path, s);
    }
    return s;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const file = files.get(path);
    const s = stat(path);
    s.requests++;
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    const { mode } = file;
    if (mode.kind === 'redirect') {
      response.writeHead(302, { location: mode.to }).end();
      return;
    }
    if (mode.kind === 'fail' && mode.times > 0) {
      mode.times--;
      response.writeHead(mode.status, { 'content-type': 'text/plain' }).end('failure');
      return;
    }
    if (mode.kind === 'close-half-no-length' && mode.times > 0) {
      mode.times--;
      // A close-delimited body (no Content-Length, no chunking) that ends early looks complete.
      const half = file.bytes.subarray(0, Math.floor(file.bytes.length / 2));
      s.bytesSent += half.length;
      request.socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n');
      request.socket.end(half);
      return;
    }
    let bytes = file.bytes;
    if (mode.kind === 'wrong') {
      bytes = Uint8Array.from(bytes, (b) => b ^ 0xff);
    }
    const etag = `"${bytes.length}-${bytes[0] ?? 0}-${bytes[bytes.length - 1] ?? 0}"`;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const ifRange = request.headers['if-range'];
    if (range && (ifRange === undefined || ifRange === etag)) {
      start = Number(range[1]);
      if (start >= bytes.length) {
        response.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
        return;
      }
      s.rangeRequests++;
      response.writeHead(206, {
        'content-length': bytes.length - start,
        'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
        etag,
        'accept-ranges': 'bytes',
      });
    } else {
      response.writeHead(200, { 'content-length': bytes.length, etag, 'accept-ranges': 'bytes' });
    }
    const body = bytes.subarray(start);
    const write = (chunk: Uint8Array) =>
      new Promise<void>((resolve) => {
        s.bytesSent += chunk.length;
        response.write(chunk, () => resolve());
      });
    if ((mode.kind === 'drop-half' || mode.kind === 'stall-half') && mode.times > 0) {
      mode.times--;
      await write(body.subarray(0, Math.floor(body.length / 2)));
      if (mode.kind === 'drop-half') request.socket.destroy();
      return; // stall: keep the connection open without sending more
    }
    if (mode.kind === 'slow') {
      for (let at = 0; at < body.length; at += mode.chunkBytes) {
        if (request.socket.destroyed) return;
        await write(body.subarray(at, at + mode.chunkBytes));
        await sleep(mode.delayMs);
      }
      response.end();
      return;
    }
    s.bytesSent += body.length;
    response.end(body);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve(path, bytes, mode = { kind: 'ok' }) {
      files.set(path, { bytes, mode });
    },
    setMode(path, mode) {
      const file = files.get(path);
      if (file) file.mode = mode;
    },
    stats: (path) => ({ ...stat(path) }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
