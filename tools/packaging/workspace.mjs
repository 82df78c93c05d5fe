// The publishable packages of the workspace, with their manifests and Nx roles.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `core` | `pattern` | `emulator` | `testing`, from the project's Nx tags. */
export function roleFromTags(tags) {
  if (tags.includes('type:core')) return 'core';
  if (tags.includes('type:pattern')) return 'pattern';
  if (tags.includes('type:emulator')) return 'emulator';
  if (tags.includes('type:testing')) return 'testing';
  return 'other';
}

/** Every packages/* folder with a package.json: `{ folder, dir, name, manifest, role }`. */
export function listPackages(root = workspaceRoot) {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => {
      const dir = join(base, d.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const project = existsSync(join(dir, 'project.json')) ? JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')) : {};
      return { folder: d.name, dir, name: manifest.name, manifest, role: roleFromTags(project.tags ?? []) };
    })
    .sort((a, b) => a.folder.localeCompare(b.folder));
}
