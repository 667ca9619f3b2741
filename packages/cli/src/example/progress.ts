import type { Writer } from '../cli/io.js';

/** Shows how far the example got: a bar redrawn in place on a terminal, one line per checkpoint otherwise. */
export class Progress {
  readonly #out: Writer;
  readonly #tty: boolean;
  readonly #total: number;
  readonly #now: () => number;
  #consumed = 0;
  #checkpoint: number | undefined;
  #drawnAt = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(out: Writer, tty: boolean, total: number, now: () => number = Date.now) {
    this.#out = out;
    this.#tty = tty;
    this.#total = Math.max(1, total);
    this.#now = now;
  }

  /** `consumed` clicks were read from the stream. */
  consumed(consumed: number): void {
    this.#consumed = consumed;
    if (this.#tty && (consumed === this.#total || this.#now() - this.#drawnAt >= 100)) this.#draw();
  }

  /** Checkpoint `checkpointId` completed at `offset` clicks. */
  checkpointed(checkpointId: number, offset: number): void {
    this.#checkpoint = checkpointId;
    if (this.#tty) {
      this.#draw();
      return;
    }
    const percent = Math.floor((offset / this.#total) * 100);
    this.#out.write(`checkpoint ${checkpointId}: ${offset}/${this.#total} clicks (${percent}%)\n`);
  }

  /** Ends the bar's line, so that what follows starts on a line of its own. */
  finish(): void {
    if (this.#tty && this.#drawn) this.#out.write('\n');
    this.#drawn = false;
  }

  #draw(): void {
    const width = 30;
    const ratio = Math.min(1, this.#consumed / this.#total);
    const filled = Math.round(ratio * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const checkpoint = this.#checkpoint === undefined ? '' : `  checkpoint ${this.#checkpoint}`;
    const percent = String(Math.floor(ratio * 100)).padStart(3);
    this.#out.write(`\r[${bar}] ${percent}%  ${this.#consumed}/${this.#total} clicks${checkpoint}\u001b[K`);
    this.#drawnAt = this.#now();
    this.#drawn = true;
  }
}
