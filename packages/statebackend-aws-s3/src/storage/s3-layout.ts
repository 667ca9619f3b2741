import { randomBytes } from 'node:crypto';

/** Entropy injection: the marker in the prefix and how many random characters replace it. */
export interface EntropySettings {
  readonly marker: string;
  readonly length: number;
}

const ENTROPY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Paths of entropy-injected data files start with `~<chars>/`, which no other path does. */
const ENTROPY_PATH = /^~([a-z0-9]+)\/(.+)$/;
const ENTROPY_CHARS = /^[a-z0-9]+$/;

/**
 * Maps the storage's relative paths to S3 keys and back.
 *
 * Everything of one operator of one job lives below `<prefix>/<jobId>/<operatorId>/`, so jobs
 * and operators never share a key (unlike Flink's Java module's shared `checkpoints/<id>`).
 * With entropy, the prefix holds a marker (e.g. `state/_entropy_/ckpt`): data files get random
 * characters in its place (`state/x7k2/ckpt/...`), spreading request load over S3 partitions;
 * commit records and claims get the marker removed (`state/ckpt/...`), so they are found
 * without scanning. A data file's relative path records its characters (`~x7k2/shared/...`).
 */
export class S3Layout {
  /** Key prefix of commit records, claims and data files without entropy; ends with `/`. */
  readonly baseKey: string;
  readonly entropy: EntropySettings | undefined;
  /** With entropy: the fixed part of the prefix before the marker, where listing data files starts. */
  readonly #entropyRoot: string;
  readonly #entropySuffix: string;

  constructor(prefix: string, jobId: string, operatorId: string, entropy?: EntropySettings) {
    const tail = `${jobId}/${operatorId}/`;
    const at = entropy === undefined ? -1 : prefix.indexOf(entropy.marker);
    this.entropy = at < 0 ? undefined : entropy;
    if (entropy === undefined || at < 0) {
      this.baseKey = joinKey(prefix, tail);
      this.#entropyRoot = this.baseKey;
      this.#entropySuffix = '';
      return;
    }
    const before = prefix.slice(0, at);
    const after = prefix.slice(at + entropy.marker.length);
    this.baseKey = joinKey(`${before}${after}`, tail);
    this.#entropyRoot = before;
    const afterMarker = after === '' ? '/' : after;
    this.#entropySuffix = afterMarker.endsWith('/') ? `${afterMarker}${tail}` : `${afterMarker}/${tail}`;
  }

  /** The relative path of a new data file `<directory>/<name>`, with fresh entropy when enabled. */
  newDataPath(directory: string, name: string): string {
    const relative = `${directory}/${name}`;
    if (this.entropy === undefined) return relative;
    return `~${randomCharacters(this.entropy.length)}/${relative}`;
  }

  /** The S3 key of a relative path. */
  keyOf(relative: string): string {
    const match = ENTROPY_PATH.exec(relative);
    if (match === null || this.entropy === undefined) return `${this.baseKey}${relative}`;
    return `${this.#entropyRoot}${match[1]}${this.#entropySuffix}${match[2]}`;
  }

  /**
   * Where listing data files starts: the base, or with entropy the fixed part of the prefix
   * before the marker (which holds the base too). Put the marker after a segment of its own,
   * e.g. `state/_entropy_/ckpt`, or listing scans the whole bucket.
   */
  get dataListPrefix(): string {
    return this.entropy === undefined ? this.baseKey : this.#entropyRoot;
  }

  /** The relative path of a key listed below {@link dataListPrefix}, or undefined. */
  pathOf(key: string): string | undefined {
    if (key.startsWith(this.baseKey)) return key.slice(this.baseKey.length);
    const entropy = this.entropy;
    if (entropy === undefined || !key.startsWith(this.#entropyRoot)) return undefined;
    const rest = key.slice(this.#entropyRoot.length);
    const chars = rest.slice(0, entropy.length);
    const remainder = rest.slice(entropy.length);
    if (!ENTROPY_CHARS.test(chars) || !remainder.startsWith(this.#entropySuffix)) return undefined;
    return `~${chars}/${remainder.slice(this.#entropySuffix.length)}`;
  }
}

/** Joins key parts with one `/` between them, no leading `/` and no empty segments. */
function joinKey(left: string, right: string): string {
  return `${left}/${right}`.replace(/\/{2,}/g, '/').replace(/^\//, '');
}

function randomCharacters(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ENTROPY_ALPHABET[byte % ENTROPY_ALPHABET.length];
  return out;
}
