import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

let cachedRoot: string | undefined;

/**
 * Finds the repository root: the nearest folder above this file whose package.json declares
 * npm workspaces. Relative paths in configuration resolve against it, so `DATA_DIR=.data` means
 * the same folder whether the app runs from the root, from backend/ or from a test worker.
 */
export function repositoryRoot(): string {
  if (cachedRoot) return cachedRoot;

  let folder = __dirname;
  while (dirname(folder) !== folder) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).workspaces) {
      cachedRoot = folder;
      return folder;
    }
    folder = dirname(folder);
  }

  cachedRoot = process.cwd();
  return cachedRoot;
}

export function resolveFromRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(repositoryRoot(), path);
}
