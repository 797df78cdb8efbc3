// A guard in front of the LSP stdio reader. vscode-jsonrpc's StreamMessageReader reports a frame with a
// missing or non-numeric Content-Length, or a body cut short, as an error and then stays out of step
// with the stream: the server lives on but answers nothing. This guard reads the same bytes, checks
// every frame (a numeric Content-Length up to 64 MiB, a body that is JSON, no frame left hanging for
// 10 s) and on the first bad one calls `onFault`, which exits so the client restarts the server.
// Reference: LSP 3.17 base protocol, "Header Part" and "Content Part".
import { PassThrough, type Readable } from 'node:stream';

export const MAX_CONTENT_LENGTH = 64 * 1024 * 1024;
const MAX_HEADER_BYTES = 8 * 1024;
export const STALL_MS = 10_000;

/** Checks a byte stream of LSP frames incrementally; `push` returns the first problem, if any. */
export class FrameChecker {
  private buf: Buffer = Buffer.alloc(0);
  private need = -1;
  frames = 0;

  /** Whether a frame has started but not finished. */
  get pending(): boolean {
    return this.buf.length > 0 || this.need >= 0;
  }

  push(chunk: Buffer): string | undefined {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.need < 0) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return this.buf.length > MAX_HEADER_BYTES ? `no end of headers within ${MAX_HEADER_BYTES} bytes` : undefined;
        const lines = this.buf.subarray(0, end).toString('ascii').split('\r\n');
        this.buf = this.buf.subarray(end + 4);
        const header = lines.map((l) => /^content-length:\s*(.*?)\s*$/i.exec(l)).find((m) => m !== null);
        if (!header) return `a frame without a Content-Length header (${JSON.stringify(lines.join(' | ').slice(0, 80))})`;
        const v = header[1] as string;
        if (!/^\d+$/.test(v)) return `Content-Length must be a number of bytes, got ${JSON.stringify(v.slice(0, 40))}`;
        if (Number(v) > MAX_CONTENT_LENGTH) return `Content-Length ${v} is over the ${MAX_CONTENT_LENGTH}-byte limit`;
        this.need = Number(v);
      }
      if (this.buf.length < this.need) return undefined;
      const body = this.buf.subarray(0, this.need).toString('utf8');
      this.buf = this.buf.subarray(this.need);
      this.need = -1;
      try {
        JSON.parse(body);
      } catch {
        return `a frame body that is not JSON (is its Content-Length too short or too long?): ${JSON.stringify(body.slice(0, 60))}`;
      }
      this.frames++;
    }
  }
}

/** `input`, passed through unchanged, with every frame checked; `onFault` gets the first problem. */
export function guardFrames(input: Readable, onFault: (problem: string) => void, stallMs = STALL_MS): Readable {
  const out = new PassThrough();
  const check = new FrameChecker();
  let timer: NodeJS.Timeout | undefined;
  let faulted = false;
  const fault = (p: string) => {
    if (faulted) return;
    faulted = true;
    clearTimeout(timer);
    onFault(p);
  };
  input.on('data', (chunk: Buffer) => {
    if (faulted) return;
    const before = check.frames;
    const problem = check.push(chunk);
    if (problem) return fault(problem);
    out.write(chunk);
    // A frame still incomplete stallMs after it began (however much else arrives): its Content-Length is too long.
    if (timer && (check.frames !== before || !check.pending)) timer = void clearTimeout(timer);
    if (check.pending && !timer) {
      const at = check.frames;
      timer = setTimeout(() => { if (check.frames === at && check.pending) fault(`a frame incomplete after ${stallMs} ms (Content-Length larger than its body?)`); }, stallMs);
    }
  });
  input.on('end', () => { clearTimeout(timer); out.end(); });
  input.on('error', (e) => out.destroy(e));
  return out;
}

/** The stdio servers' fault handler: say why on stderr and exit 1, so the client restarts the server. */
export function exitOnFrameFault(name: string): (problem: string) => void {
  return (problem) => {
    process.stderr.write(`${name}: malformed LSP message: ${problem}; exiting so the client restarts the server\n`);
    process.exit(1);
  };
}
