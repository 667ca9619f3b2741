/**
 * The logger every component accepts. Library code never writes to the console: pass your
 * own logger (pino, winston and console all fit this shape) or get {@link noopLogger}.
 */
export interface Logger {
  debug(message: string, context?: Readonly<Record<string, unknown>>): void;
  info(message: string, context?: Readonly<Record<string, unknown>>): void;
  warn(message: string, context?: Readonly<Record<string, unknown>>): void;
  error(message: string, context?: Readonly<Record<string, unknown>>): void;
}

const ignore = (): void => {};

/** A logger that discards everything; the default wherever a logger is optional. */
export const noopLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
