#!/usr/bin/env node
// `npm run cycles`: fails on any import cycle inside a package's sources, type-only imports
// included (a cycle of types still couples two files that should not know each other).
import madge from 'madge';
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packages = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'src')));

let failed = 0;
for (const name of packages) {
  const dir = join(root, 'packages', name);
  const graph = await madge(join(dir, 'src'), {
    fileExtensions: ['ts'],
    tsConfig: join(dir, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false } },
  });
  const cycles = graph.circular();
  if (cycles.length === 0) {
    console.log(`${name}: no import cycle (${Object.keys(graph.obj()).length} files)`);
    continue;
  }
  failed += cycles.length;
  console.log(`${name}: ${cycles.length} import cycle(s):`);
  for (const cycle of cycles) console.log(`  ${[...cycle, cycle[0]].join(' -> ')}`);
}
process.exit(failed === 0 ? 0 : 1);
