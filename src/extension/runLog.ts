// One "ORPO Lab" output channel for everything, with a section per run named after its run folder
// (VS Code UX guidelines: one output channel per extension). Lines of runs that write at the same
// time are kept apart: whenever the writer changes, a section header names the run again. No `vscode`
// import: the channel is anything with append and show.
export interface LogSink {
  append(text: string): void;
  show(preserveFocus?: boolean): void;
}

/** What feedback writes a run's log to (same shape as the part of an OutputChannel it uses). */
export interface RunSection {
  append(text: string): void;
  appendLine(text: string): void;
  show(preserveFocus?: boolean): void;
  dispose(): void;
}

export class SectionedLog {
  private current: { id: number; label: string } | undefined;
  private atLineStart = true;
  private next = 0;

  constructor(private readonly sink: LogSink) {}

  /** A run's section; `label` is read on every write (a new run's folder is known only once it starts). */
  section(label: () => string): RunSection {
    const id = this.next++;
    const write = (text: string) => this.write(id, label(), text);
    return {
      append: write,
      appendLine: (text) => write(`${text}\n`),
      show: (p) => this.sink.show(p),
      dispose: () => { if (this.current?.id === id) this.current = undefined; },
    };
  }

  private write(id: number, label: string, text: string): void {
    if (!text) return;
    if (this.current?.id !== id || this.current.label !== label) {
      this.sink.append(`${this.atLineStart ? '' : '\n'}── ${label} ──\n`);
      this.current = { id, label };
      this.atLineStart = true;
    }
    this.sink.append(text);
    this.atLineStart = text.endsWith('\n');
  }
}
