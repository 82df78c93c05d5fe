#!/usr/bin/env node
// Regenerates the ts-proto codecs from proto/kubemq.proto with buf (no protoc needed).
//   node tools/proto/generate.mjs          write packages/{core,emulator}/.../generated
//   node tools/proto/generate.mjs --check  exit 1 if the committed output differs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const targets = {
  core: join(root, 'packages/core/src/internal/generated'),
  emulator: join(root, 'packages/emulator/src/generated'),
};
const check = process.argv.includes('--check');

const scratch = mkdtempSync(join(tmpdir(), 'kubemq-proto-'));
try {
  const buf = join(root, 'node_modules/@bufbuild/buf/bin/buf');
  execFileSync(process.execPath, [buf, 'generate', '--template', 'buf.gen.yaml', '-o', scratch], {
    cwd: root,
    stdio: 'inherit',
  });
  let stale = [];
  for (const [name, dest] of Object.entries(targets)) {
    const src = join(scratch, name);
    for (const file of listFiles(src)) {
      const fresh = readFileSync(join(src, file));
      const target = join(dest, file);
      const same = existsSync(target) && readFileSync(target).equals(fresh);
      if (same) continue;
      if (check) {
        stale.push(relative(root, target));
      } else {
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(join(src, file), target);
        console.log(`wrote ${relative(root, target)}`);
      }
    }
  }
  if (check && stale.length > 0) {
    console.error(`generated code is out of date (run npm run proto):\n  ${stale.join('\n  ')}`);
    process.exitCode = 1;
  } else if (check) {
    console.log('generated code is up to date');
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function listFiles(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}
