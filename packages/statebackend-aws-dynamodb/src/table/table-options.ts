/** Capacity of a table the backend creates. */
export type BillingMode =
  | { readonly mode: 'on-demand' }
  | { readonly mode: 'provisioned'; readonly readCapacityUnits: number; readonly writeCapacityUnits: number };

/** How the backend finds or creates its table. */
export interface TableOptions {
  readonly tableName: string;
  /** Create the table when it does not exist (default true); otherwise a missing table is an error. */
  readonly createIfMissing?: boolean;
  /** Billing of a created table; on-demand unless given. */
  readonly billing?: BillingMode;
  /** Turn on deletion protection on a created table. */
  readonly deletionProtection?: boolean;
  /** Enable DynamoDB's native TTL on the `ttl` attribute (default true). */
  readonly nativeTtl?: boolean;
  /** How long to wait for ACTIVE, in milliseconds (default 120 s). */
  readonly activeTimeoutMs?: number;
}

/** The attribute DynamoDB's native TTL reads: seconds since the epoch. */
export const TTL_ATTRIBUTE = 'ttl';
