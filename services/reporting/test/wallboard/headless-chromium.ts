// Drives Debian's `chromium` over the DevTools protocol on a pipe (--remote-debugging-pipe: commands on fd 3,
// replies on fd 4, NUL-separated JSON). playwright-core is not a dependency and Node 20 has no WebSocket client.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);

/** The Chromium executable, or a failure that says how to install it. */
export function chromiumExecutable(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found === undefined) {
    throw new Error(`headless Chromium not found (looked at ${CANDIDATES.join(', ')}): run \`apt-get install -y chromium\` (Debian package "chromium"), or set CHROMIUM_PATH`);
  }
  return found;
}

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void };

export class HeadlessChromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';

  private constructor(private readonly child: ChildProcess, private readonly profile: string) {
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      const parts = (this.buffered + chunk).split('\0');
      this.buffered = parts.pop() ?? '';
      for (const part of parts) this.dispatch(JSON.parse(part) as { id?: number; result?: Record<string, unknown>; error?: { message: string } });
    });
    child.on('exit', () => this.pending.forEach((p) => p.reject(new Error('chromium exited'))));
  }

  static async launch(width = 1600, height = 1000): Promise<HeadlessChromium> {
    const profile = mkdtempSync(path.join(tmpdir(), 'sb-chromium-'));
    const child = spawn(chromiumExecutable(), [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--hide-scrollbars',
      '--remote-debugging-pipe', `--user-data-dir=${profile}`, `--window-size=${width},${height}`, 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true });
    const browser = new HeadlessChromium(child, profile);
    await browser.send('Browser.getVersion');
    return browser;
  }

  private dispatch(m: { id?: number; result?: Record<string, unknown>; error?: { message: string } }) {
    const p = m.id === undefined ? undefined : this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id!);
    if (m.error) p.reject(new Error(m.error.message));
    else p.resolve(m.result ?? {});
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.child.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** A new tab of the given size, navigated to `url`; `atDocumentStart` runs in the page before any of its scripts. */
  async open(url: string, o: { width?: number; height?: number; atDocumentStart?: string } = {}): Promise<Page> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId as string);
    await page.call('Emulation.setDeviceMetricsOverride', { width: o.width ?? 1600, height: o.height ?? 1000, deviceScaleFactor: 1, mobile: false });
    if (o.atDocumentStart) {
      await page.call('Page.enable');
      await page.call('Page.addScriptToEvaluateOnNewDocument', { source: o.atDocumentStart });
    }
    await page.call('Page.navigate', { url });
    return page;
  }

  /** Asks Chromium to quit, then kills its whole process group, so no helper process still writes the profile. */
  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      await Promise.race([this.send('Browser.close').catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      await exited;
    }
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

export class Page {
  constructor(private readonly browser: HeadlessChromium, private readonly sessionId: string) {}

  call(method: string, params: object = {}) {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Evaluates an expression in the page and answers its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.call('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.text}`);
    return r.result.value;
  }

  /** Polls `expression` until it is truthy; answers its value and how long that took. */
  async waitFor<T>(expression: string, timeoutMs: number, everyMs = 20): Promise<{ value: T; ms: number }> {
    const t0 = Date.now();
    for (;;) {
      const value = await this.evaluate<T>(expression);
      if (value) return { value, ms: Date.now() - t0 };
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async screenshot(): Promise<Buffer> {
    const { data } = await this.call('Page.captureScreenshot', { format: 'png', captureBeyondViewport: false });
    return Buffer.from(data as string, 'base64');
  }
}
