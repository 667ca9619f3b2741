import type { Readable } from 'node:stream';

/**
 * The last lines a process wrote, kept so that an emulator that fails to start can say why.
 * It keeps reading for the whole life of the process: an emulator whose pipe nobody drains
 * would block once the pipe buffer is full (moto logs every request).
 */
export class OutputTail {
  readonly #lines: string[] = [];
  #partial = '';
  readonly #maxLines: number;

  constructor(maxLines: number = 40) {
    this.#maxLines = maxLines;
  }

  /** Reads `stream` to its end, keeping its last lines. */
  follow(stream: Readable | null): void {
    if (stream === null) return;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.#push(chunk));
  }

  /** The last complete lines, and the current unterminated one, oldest first. */
  snapshot(): string[] {
    const all = this.#partial === '' ? [...this.#lines] : [...this.#lines, this.#partial];
    return all.slice(-this.#maxLines);
  }

  #push(chunk: string): void {
    const parts = (this.#partial + chunk).split(/\r?\n/);
    this.#partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      this.#lines.push(line);
      if (this.#lines.length > this.#maxLines) this.#lines.shift();
    }
  }
}
