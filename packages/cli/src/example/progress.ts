import type { Writer } from '../cli/io.js';

/** The narrowest bar worth drawing; below it the line shows the counts alone. */
const MIN_BAR = 10;
/** The widest bar, on any terminal. */
const MAX_BAR = 30;

/**
 * Shows how far the example got, on stderr (stdout keeps the summary, parseable with `--json`):
 * on a terminal a bar redrawn in place, sized to the terminal and never longer than a line (a
 * line that wrapped could not be redrawn in place); otherwise one line per checkpoint.
 */
export class Progress {
  readonly #out: Writer;
  readonly #tty: boolean;
  readonly #total: number;
  readonly #now: () => number;
  readonly #columns: () => number | undefined;
  #consumed = 0;
  #checkpoint: number | undefined;
  #drawnAt = Number.NEGATIVE_INFINITY;
  #drawn = false;

  /**
   * @param out where progress goes (stderr)
   * @param tty whether `out` is a terminal
   * @param columns the terminal's width now (it may be resized); undefined when unknown
   */
  constructor(
    out: Writer,
    tty: boolean,
    total: number,
    now: () => number = Date.now,
    columns: () => number | undefined = () => undefined,
  ) {
    this.#out = out;
    this.#tty = tty;
    this.#total = Math.max(1, total);
    this.#now = now;
    this.#columns = columns;
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
    const ratio = Math.min(1, this.#consumed / this.#total);
    const checkpoint = this.#checkpoint === undefined ? '' : `  checkpoint ${this.#checkpoint}`;
    const percent = String(Math.floor(ratio * 100)).padStart(3);
    const counts = `${percent}%  ${this.#consumed}/${this.#total} clicks${checkpoint}`;
    // One column is left free: a terminal wraps a line that fills its last column.
    const columns = this.#columns();
    const room = columns === undefined ? undefined : Math.max(1, columns - 1);
    const width = room === undefined ? MAX_BAR : Math.min(MAX_BAR, room - counts.length - 3);
    let line = counts;
    if (width >= MIN_BAR) {
      const filled = Math.round(ratio * width);
      line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counts}`;
    }
    if (room !== undefined && line.length > room) line = line.slice(0, room);
    this.#out.write(`\r${line}\u001b[K`);
    this.#drawnAt = this.#now();
    this.#drawn = true;
  }
}
