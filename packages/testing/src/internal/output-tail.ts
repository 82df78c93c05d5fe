/** Keeps the last lines a child process wrote, to show when it fails. */
export class OutputTail {
  private readonly lines: string[] = [];
  private readonly partial: Record<string, string> = {};
  private readonly listeners = new Set<(line: string) => void>();

  constructor(private readonly maxLines = 80) {}

  /** Feeds a chunk from one stream; complete lines are kept and announced. */
  push(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const text = (this.partial[stream] ?? '') + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.add(stream, line);
  }

  /** Flushes unterminated text (call when the process exits). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream];
      if (rest) this.add(stream, rest);
      this.partial[stream] = '';
    }
  }

  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  text(): string {
    return this.lines.length === 0 ? '  (no output)' : this.lines.map((l) => `  ${l}`).join('\n');
  }

  private add(stream: 'stdout' | 'stderr', line: string): void {
    this.lines.push(stream === 'stderr' ? `[stderr] ${line}` : line);
    if (this.lines.length > this.maxLines) this.lines.shift();
    for (const listener of this.listeners) listener(line);
  }
}
