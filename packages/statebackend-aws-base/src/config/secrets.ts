import { suggestKey } from './edit-distance.js';

/** What a secret value is shown as, everywhere: `toString()`, JSON, `util.inspect`, errors. */
export const SECRET_MASK = '******';

/** Words that make an unknown key secret (compared case-insensitively, ignoring `-` and `_`). */
const SECRET_WORDS = ['secret', 'password', 'passwd', 'token', 'sessiontoken', 'apikey', 'privatekey'];

/**
 * Every key an option has been declared with (main, deprecated and fallback keys) and whether any
 * option declared with that key is secret. Filled as options are created, so that a
 * {@link Configuration} — which holds raw strings and knows no options — can mask values.
 */
const declaredKeys = new Map<string, boolean>();

/** Records the keys of a declared option. Called by `ConfigOption`'s constructor. */
export function declareKeys(keys: readonly string[], secret: boolean): void {
  for (const key of keys) {
    declaredKeys.set(key, (declaredKeys.get(key) ?? false) || secret);
  }
}

/** Every key declared by an option so far. */
export function declaredOptionKeys(): IterableIterator<string> {
  return declaredKeys.keys();
}

/** True when the key is declared by an option (any spelling of it: main, deprecated, fallback). */
export function isDeclaredKey(key: string): boolean {
  return declaredKeys.has(key);
}

function looksSecret(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_WORDS.some((word) => normalized.includes(word));
}

/**
 * Whether values of this key must be masked. A declared key is secret when its option is marked
 * secret. An unknown key is secret when its name contains `secret`, `password`, `passwd`,
 * `token`, `apikey` or `privatekey`, or when it is a near miss of a declared secret key (a typo of
 * a secret is still a secret).
 */
export function isSecretKey(key: string): boolean {
  const declared = declaredKeys.get(key);
  if (declared !== undefined) return declared;
  if (looksSecret(key)) return true;
  const secretKeys = [...declaredKeys].filter(([, secret]) => secret).map(([k]) => k);
  return suggestKey(key, secretKeys) !== undefined;
}

/** `scheme://user:password@host` → `scheme://user:******@host`, anywhere in a value. */
function maskUrlPasswords(raw: string): string {
  return raw.replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^/\s@]*@/gi, `$1${SECRET_MASK}@`);
}

/** How a received value is shown in messages: quoted, truncated, masked when secret. */
export function describeReceived(key: string, raw: string | undefined): string {
  if (raw === undefined) return '(missing)';
  if (isSecretKey(key)) return SECRET_MASK;
  const masked = maskUrlPasswords(raw);
  const shown = masked.length > 120 ? `${masked.slice(0, 117)}...` : masked;
  return `'${shown.replace(/\r?\n/g, '\\n')}'`;
}

/**
 * The value as it may be shown: the mask when the key is secret, else the raw string with any
 * password inside a URL masked.
 */
export function maskedValue(key: string, raw: string): string {
  return isSecretKey(key) ? SECRET_MASK : maskUrlPasswords(raw);
}
