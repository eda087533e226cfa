import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, hasAnyRole, type Principal, type Role, type TokenVerifier } from '@switchboard/service-kit';
import type { Observable } from 'rxjs';
import {
  ConnectError, envelope, FLAG_END_STREAM, HTTP_STATUS, parseJson, parseStreamRequest, toConnectError,
} from './connect-protocol';

/** One RPC reachable over Connect. `roles` undefined = any authenticated caller (as the gRPC guard does). */
export type ConnectMethod =
  | { kind: 'unary'; roles?: readonly Role[]; call(req: unknown, principal: Principal): Promise<unknown> }
  | { kind: 'server-stream'; roles?: readonly Role[]; call(req: unknown, principal: Principal): Observable<unknown> };

/** Methods by path, `/<package>.<Service>/<Method>`. */
export type ConnectRoutes = ReadonlyMap<string, ConnectMethod>;

const MAX_REQUEST_BYTES = 64 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) reject(new ConnectError('resource_exhausted', 'request too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function authenticate(req: IncomingMessage, method: ConnectMethod, verifier: TokenVerifier): Promise<Principal> {
  const header = req.headers.authorization;
  const token = bearerToken(header === undefined ? [] : [header]);
  if (token === undefined) throw new ConnectError('unauthenticated', 'AUTH.TOKEN_MISSING: missing bearer token in the authorization header');
  const principal = await verifier.verify(token);
  if (method.roles !== undefined && !hasAnyRole(principal, method.roles)) {
    throw new ConnectError('permission_denied', `AUTH.ROLE_REQUIRED: requires one of the roles: ${method.roles.join(', ')}`);
  }
  return principal;
}

const mediaType = (req: IncomingMessage) => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

/** Told of failures a caller only sees as `internal` (the page then shows "reconnecting"), so the log says why. */
export type InternalErrorSink = (e: unknown) => void;

const reportInternal = (e: unknown, onInternal: InternalErrorSink) => {
  if (toConnectError(e).code === 'internal') onInternal(e);
};

/** Serves a Connect request; answers false when the path is not an RPC so the caller can serve static files. */
export async function handleConnect(req: IncomingMessage, res: ServerResponse, routes: ConnectRoutes, verifier: TokenVerifier,
  onInternal: InternalErrorSink = () => undefined): Promise<boolean> {
  const method = routes.get((req.url ?? '').split('?')[0]);
  if (method === undefined) return false;
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return true;
  }
  const expected = method.kind === 'unary' ? 'application/json' : 'application/connect+json';
  if (mediaType(req) !== expected) {
    res.writeHead(415, { 'accept-post': expected }).end();
    return true;
  }
  if (method.kind === 'unary') await serveUnary(req, res, method, verifier, onInternal);
  else await serveStream(req, res, method, verifier, onInternal);
  return true;
}

async function serveUnary(req: IncomingMessage, res: ServerResponse, method: Extract<ConnectMethod, { kind: 'unary' }>, verifier: TokenVerifier,
  onInternal: InternalErrorSink) {
  try {
    const body = parseJson(await readBody(req));
    const principal = await authenticate(req, method, verifier);
    const out = JSON.stringify(await method.call(body, principal));
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(out);
  } catch (e) {
    reportInternal(e, onInternal);
    const err = toConnectError(e);
    res.writeHead(HTTP_STATUS[err.code], { 'content-type': 'application/json' }).end(JSON.stringify(err));
  }
}

async function serveStream(req: IncomingMessage, res: ServerResponse, method: Extract<ConnectMethod, { kind: 'server-stream' }>, verifier: TokenVerifier,
  onInternal: InternalErrorSink) {
  // Streaming responses are always 200; the outcome travels in the end-stream message.
  res.writeHead(200, { 'content-type': 'application/connect+json', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const end = (error?: unknown) => {
    if (!res.writableEnded) res.end(envelope(FLAG_END_STREAM, error === undefined ? {} : { error: toConnectError(error) }));
  };
  let principal: Principal;
  let body: unknown;
  try {
    body = parseStreamRequest(await readBody(req));
    principal = await authenticate(req, method, verifier);
  } catch (e) {
    end(e);
    return;
  }
  const subscription = method.call(body, principal).subscribe({
    next: (message) => res.write(envelope(0, message)),
    error: (e: unknown) => {
      reportInternal(e, onInternal);
      end(e);
    },
    complete: () => end(),
  });
  res.on('close', () => subscription.unsubscribe());
}
