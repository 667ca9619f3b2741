import { MissingPackageError } from '../errors.js';

/**
 * Imports an optional package on first use, so that the embedded default (heap backend, local
 * directory) runs without the AWS SDK or the service packages installed.
 */
export async function lazyImport<M>(
  packageName: string,
  purpose: string,
  load: () => Promise<M>,
): Promise<M> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new MissingPackageError(packageName, purpose, error);
    }
    throw error;
  }
}
