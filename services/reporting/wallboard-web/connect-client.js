// A minimal Connect-protocol client (JSON codec): unary calls and server streams over fetch, same origin.
// Wire format: https://connectrpc.com/docs/protocol — streams use 5-byte envelopes (flags, big-endian length).

export class ConnectError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

const END_STREAM = 0x02;

function envelope(message) {
  const json = new TextEncoder().encode(JSON.stringify(message));
  const out = new Uint8Array(5 + json.length);
  new DataView(out.buffer).setUint32(1, json.length);
  out.set(json, 5);
  return out;
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function connectClient(token) {
  const headers = (contentType) => ({ 'content-type': contentType, 'connect-protocol-version': '1', authorization: `Bearer ${token}` });

  async function unary(path, request) {
    const res = await fetch(path, { method: 'POST', headers: headers('application/json'), body: JSON.stringify(request) });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new ConnectError(body.code ?? 'unknown', body.message ?? `HTTP ${res.status}`);
    return body;
  }

  /** Calls onMessage for each message; resolves when the server ends the stream, rejects on its error. */
  async function stream(path, request, onMessage, signal) {
    const res = await fetch(path, { method: 'POST', headers: headers('application/connect+json'), body: envelope(request), signal });
    if (!res.ok || !res.body) throw new ConnectError('unavailable', `HTTP ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = new Uint8Array(0);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new ConnectError('unavailable', 'the stream ended without an end-stream message');
      buffer = concat(buffer, value);
      while (buffer.length >= 5) {
        const flags = buffer[0];
        const length = new DataView(buffer.buffer, buffer.byteOffset).getUint32(1);
        if (buffer.length < 5 + length) break;
        const message = JSON.parse(decoder.decode(buffer.subarray(5, 5 + length)));
        buffer = buffer.slice(5 + length);
        if (flags & END_STREAM) {
          if (message.error) throw new ConnectError(message.error.code, message.error.message);
          return;
        }
        onMessage(message);
      }
    }
  }

  /** Keeps a stream open: reconnects after 1-5 s on failure, except when the token is refused. */
  function watch(path, request, onMessage, onState) {
    const controller = new AbortController();
    (async () => {
      let delay = 1000;
      while (!controller.signal.aborted) {
        try {
          onState('connecting');
          await stream(path, request, (m) => { delay = 1000; onMessage(m); onState('live'); }, controller.signal);
        } catch (e) {
          if (e.code === 'unauthenticated' || e.code === 'permission_denied') { onState('denied', e); return; }
          onState('reconnecting', e);
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    })();
    return () => controller.abort();
  }

  return { unary, stream, watch };
}
