#!/usr/bin/env node
// Type-checks every TypeScript code block in README.md, packages/*/README.md and docs/**/*.md,
// every `@example` block in the packages' public barrels (packages/*/src/index.ts), plus
// docs/snippets/** and examples/**, against the packages' sources. A block must be a complete
// program (imports included), so what a reader copies compiles. Run: npm run docs:check
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'tmp', 'doc-snippets');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const markdown = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'README.md')),
  ...walk(join(root, 'docs')).filter((f) => f.endsWith('.md')),
].filter((f) => existsSync(f));

const barrels = readdirSync(join(root, 'packages'))
  .map((p) => join(root, 'packages', p, 'src', 'index.ts'))
  .filter((f) => existsSync(f));

let blocks = 0;
for (const file of [...markdown, ...barrels]) {
  const raw = readFileSync(file, 'utf8');
  // TSDoc blocks: drop the leading ` * ` of comment lines so fences line up like markdown.
  const text = file.endsWith('.ts') ? raw.replace(/^[ \t]*\* ?/gm, '') : raw;
  const fence = /^```(ts|typescript)\s*\n([\s\S]*?)^```/gm;
  let match;
  let n = 0;
  while ((match = fence.exec(text))) {
    const line = text.slice(0, match.index).split('\n').length;
    const name = `${relative(root, file).replace(/[/.]/g, '_')}_L${line}_${++n}.mts`;
    writeFileSync(join(out, name), `// from ${relative(root, file)}:${line}\n${match[2]}\nexport {};\n`);
    blocks++;
  }
}

// Keeps tsc happy when there is nothing else to check yet.
writeFileSync(join(out, '_empty.mts'), 'export {};\n');
const config = {
  extends: '../../tsconfig.base.json',
  compilerOptions: { noEmit: true, rootDir: '../..', noUnusedLocals: false, types: ['node', 'jest'] },
  include: ['./*.mts', '../../docs/snippets/**/*.ts', '../../examples/**/*.ts', '../../tools/demo/**/*.ts'],
};
writeFileSync(join(out, 'tsconfig.json'), JSON.stringify(config, null, 2));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(out, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  console.log(`docs: ${blocks} code blocks from ${markdown.length} markdown files, snippets and examples type-check`);
} catch {
  console.error('docs: a code block, snippet or example does not type-check (paths above are under tmp/doc-snippets)');
  process.exit(1);
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'api' ? [] : walk(join(dir, e.name))) : [join(dir, e.name)],
  );
}
