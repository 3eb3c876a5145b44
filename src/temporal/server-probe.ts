import { connect, createServer } from 'node:net';
import { open } from 'node:fs/promises';
import { Connection } from '@temporalio/client';

/** A TCP port on `ip` that nothing listens on right now (the OS picks it). */
export function freePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`could not get a free port on ${ip}`))));
    });
  });
}

/** True when something accepts TCP connections on `ip:port` within `timeoutMs`: a cheap check before gRPC. */
export function tcpAccepts(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** `host:port`, with IPv6 hosts in brackets. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * Connects to the Temporal frontend at `address` and checks that `namespace` answers, within `timeoutMs`. Returns
 * the open connection (the caller closes it) or the error text.
 */
export async function connectToTemporal(
  address: string,
  opts: { namespace?: string; timeoutMs: number },
): Promise<Connection | { error: string }> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: opts.timeoutMs });
    const { namespace } = opts;
    if (namespace !== undefined) {
      const conn = connection;
      await conn.withDeadline(Date.now() + opts.timeoutMs, () => conn.workflowService.describeNamespace({ namespace }));
    }
    return connection;
  } catch (err) {
    await connection?.close().catch(() => undefined);
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** True when an HTTP server answers at `url` within `timeoutMs` (used to tell whether a Web UI is up). */
export async function httpAnswers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** The last `bytes` of a log file, trimmed to whole lines; empty when it cannot be read. */
export async function readLogTail(path: string, bytes = 4096): Promise<string> {
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - bytes);
      const { buffer, bytesRead } = await file.read(Buffer.alloc(size - start), 0, size - start, start);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
    } finally {
      await file.close();
    }
  } catch {
    return '';
  }
}
