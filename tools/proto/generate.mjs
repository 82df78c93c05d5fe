#!/usr/bin/env node
// Regenerates the ts-proto codecs from proto/kubemq.proto with buf (no protoc needed).
//   node tools/proto/generate.mjs          write packages/{core,emulator}/.../generated
//   node tools/proto/generate.mjs --check  exit 1 if the committed output differs
// The output is post-processed (see zeroCopyBytes) before it is written or compared.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
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
      const fresh = Buffer.from(postProcess(file, readFileSync(join(src, file), 'utf8')));
      const target = join(dest, file);
      const same = existsSync(target) && readFileSync(target).equals(fresh);
      if (same) continue;
      if (check) {
        stale.push(relative(root, target));
      } else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, fresh);
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

function postProcess(file, source) {
  return file.endsWith('.ts') ? zeroCopyBytes(file, source) : source;
}

/**
 * ts-proto (env=node) decodes every `bytes` field as `Buffer.from(reader.bytes())`, a copy of each
 * received body. `reader.bytes()` is already a view of the decoded input, and that input is never
 * reused: grpc-js hands every deserializer a message buffer of its own (its StreamDecoder
 * `Buffer.concat`s each framed message into a fresh allocation, and the deframing `slice(5)` is a
 * view of that), so the view is kept. A view of a Uint8Array that is not a Buffer (decode() called
 * with one) becomes a Buffer over the same memory, so the field keeps its declared type. The cost:
 * a kept body keeps the whole received message alive (e.g. one message of a polled batch keeps the
 * batch's buffer), where the copy kept only itself.
 */
function zeroCopyBytes(file, source) {
  const copy = 'Buffer.from(reader.bytes())';
  if (!source.includes(copy)) return source;
  const helper = `
/** Added by tools/proto/generate.mjs: a received \`bytes\` field as a view of the decoded input, without a copy. */
function bytesView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
`;
  const out = source.split(copy).join('bytesView(reader.bytes())') + helper;
  if (out.includes(copy)) throw new Error(`${file}: a bytes copy survived the post-processing`);
  return out;
}
