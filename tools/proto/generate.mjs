#!/usr/bin/env node
// Regenerates the ts-proto codecs from proto/kubemq.proto with buf (no protoc needed).
//   node tools/proto/generate.mjs          write packages/{core,emulator}/.../generated
//   node tools/proto/generate.mjs --check  exit 1 if the committed output differs
// The output is post-processed (see postProcess) before it is written or compared.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directionRegex, recursiveMessages, wireDirections } from './directions.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const targets = {
  core: join(root, 'packages/core/src/internal/generated'),
  emulator: join(root, 'packages/emulator/src/generated'),
};
const check = process.argv.includes('--check');
const buf = join(root, 'node_modules/@bufbuild/buf/bin/buf');
const tsProto = 'node_modules/.bin/protoc-gen-ts_proto';

/** Options both copies share. */
const COMMON_OPTIONS = [
  'esModuleInterop=true',
  'importSuffix=.js',
  'env=node',
  'forceLong=bigint',
  'oneof=unions-value',
  'outputJsonMethods=false',
  'exportCommonSymbols=false',
  'enumsAsLiterals=true',
];

const scratch = mkdtempSync(join(tmpdir(), 'kubemq-proto-'));
try {
  // The service decides which codec goes which way: the client encodes what it sends (requests)
  // and decodes what it receives (responses), so @kubemq/core gets `encode` only for the first and
  // `decode` only for the second (a message that travels both ways, like Request, gets both).
  const descriptorFile = join(scratch, 'kubemq.json');
  execFileSync(process.execPath, [buf, 'build', 'proto', '-o', descriptorFile], { cwd: root, stdio: 'inherit' });
  const descriptorSet = JSON.parse(readFileSync(descriptorFile, 'utf8'));
  const { encode, decode } = wireDirections(descriptorSet);
  const recursive = recursiveMessages(descriptorSet);

  const template = {
    version: 'v2',
    inputs: [{ directory: 'proto' }],
    plugins: [
      {
        // @kubemq/core: message codecs only (outputServices=false keeps grpc-js out of every
        // bundle), each in the direction the client uses it, without create/fromPartial (the SDK
        // builds complete messages). An object literal holding a codec's methods keeps all of them
        // in every bundle that uses one: what is not generated is never bundled.
        local: tsProto,
        out: 'core',
        strategy: 'all',
        opt: [
          'outputServices=false',
          ...COMMON_OPTIONS,
          'outputPartialMethods=false',
          `outputEncodeIncludeTypes=${directionRegex(encode)}`,
          `outputDecodeIncludeTypes=${directionRegex(decode)}`,
        ],
      },
      {
        // @kubemq/emulator: its own complete copy of the same contract plus the grpc-js service
        // definition, so the broker shares nothing with the client but the proto.
        local: tsProto,
        out: 'emulator',
        strategy: 'all',
        opt: ['outputServices=grpc-js', ...COMMON_OPTIONS],
      },
    ],
  };
  execFileSync(process.execPath, [buf, 'generate', '--template', JSON.stringify(template), '-o', scratch], {
    cwd: root,
    stdio: 'inherit',
  });
  let stale = [];
  for (const [name, dest] of Object.entries(targets)) {
    const src = join(scratch, name);
    for (const file of listFiles(src)) {
      const fresh = Buffer.from(postProcess(name, file, readFileSync(join(src, file), 'utf8'), recursive));
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

function postProcess(target, file, source, recursive) {
  if (!file.endsWith('.ts')) return source;
  const viewed = zeroCopyBytes(file, source);
  if (target !== 'core') return viewed;
  const core = sharedEmptyBytes(file, oneWayCodecs(file, ownWireRuntime(file, viewed)));
  return recursive.length === 0 ? withoutDepthGuards(file, core) : core;
}

/**
 * ts-proto counts every decode's nesting on the reader and stops at 100, against a message that
 * contains itself. No message of proto/kubemq.proto can (recursiveMessages() proves it before this
 * runs: the schema bounds the nesting, 3 levels at most), and unknown fields are skipped without
 * decoding, so the guard, about 200 bytes of every decoder in every bundle, goes.
 */
function withoutDepthGuards(file, source) {
  const guarded = /(\n {4}const reader = input instanceof BinaryReader \? input : new BinaryReader\(input\);\n) {4}const previousRecursionDepth = \(reader as any\)\.__tsProtoDecodeDepth \?\? 0;\n {4}if \(previousRecursionDepth >= 100\) \{\n {6}throw new globalThis\.Error\("protobuf decode recursion limit exceeded"\);\n {4}\}\n {4}\(reader as any\)\.__tsProtoDecodeDepth = previousRecursionDepth \+ 1;\n {4}try \{\n([\s\S]*?)\n {4}\} finally \{\n {6}\(reader as any\)\.__tsProtoDecodeDepth = previousRecursionDepth;\n {4}\}\n/g;
  const out = source.replace(guarded, (_all, head, body) => `${head}${body.replace(/^ {2}/gm, '')}\n`);
  if (out.includes('__tsProtoDecodeDepth')) throw new Error(`${file}: a decode depth guard survived the post-processing`);
  return out;
}

/**
 * @kubemq/core's codecs run on its own wire runtime (packages/core/src/internal/wire/binary.ts:
 * the reader and writer methods these codecs call, proven byte-for-byte equal to
 * @bufbuild/protobuf's by its property tests) instead of `@bufbuild/protobuf/wire`, whose entry
 * also loads that library's reflection runtime.
 */
function ownWireRuntime(file, source) {
  const from = '"@bufbuild/protobuf/wire"';
  if (!source.includes(from)) throw new Error(`${file}: no import of ${from} to rewrite`);
  return source.split(from).join('"../wire/binary.js"');
}

/**
 * ts-proto still writes a method that throws ("encode not generated for X") where a direction is
 * left out, so every codec object would keep both. Those stubs go, and each codec is typed with
 * the methods it has: `Encoder<T>`, `Decoder<T>` or both.
 */
function oneWayCodecs(file, source) {
  const stub = (method) => `  ${method}\\(_: [^\\n]*\\n    throw new Error\\("${method} not generated for \\w+"\\);\\n  \\},\\n`;
  let out = source
    .replace(new RegExp(`(= \\{\\n)${stub('encode')}\\n`, 'g'), '$1')
    .replace(new RegExp(`\\n\\n${stub('decode')}(\\};)`, 'g'), '\n$1');
  if (/not generated for/.test(out)) throw new Error(`${file}: a one-way stub survived the post-processing`);
  out = out.replace(/^export const ([A-Za-z_]+): MessageFns<\1> = \{\n([\s\S]*?)\n\};$/gm, (_all, name, body) => {
    const has = (method) => new RegExp(`^ {2}${method}\\(`, 'm').test(body);
    const kinds = [has('encode') && `Encoder<${name}>`, has('decode') && `Decoder<${name}>`].filter(Boolean);
    if (kinds.length === 0) throw new Error(`${file}: ${name} has neither encode nor decode`);
    return `export const ${name}: ${kinds.join(' & ')} = {\n${body}\n};`;
  });
  const fns = /\ninterface MessageFns<T> \{\n[\s\S]*?\n\}\n/;
  if (!fns.test(out)) throw new Error(`${file}: no MessageFns interface to replace`);
  return out.replace(
    fns,
    `
/** Added by tools/proto/generate.mjs: a codec for what the client sends. */
export interface Encoder<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

/** Added by tools/proto/generate.mjs: a codec for what the client receives. */
export interface Decoder<T> {
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}
`,
  );
}

/**
 * A decoder starts from its message's defaults, and ts-proto's default for a `bytes` field is a
 * fresh `Buffer.alloc(0)`: about 150 ns per received message, thrown away when the field is on the
 * wire, as a body almost always is. core's decoders share one empty Buffer instead (it has no
 * bytes to change). The emulator keeps ts-proto's output.
 */
function sharedEmptyBytes(file, source) {
  let count = 0;
  const out = source.replace(/^function createBase\w+\(\): \w+ \{\n[\s\S]*?\n\}\n/gm, (fn) =>
    fn.replace(/Buffer\.alloc\(0\)/g, () => {
      count++;
      return 'EMPTY_BYTES';
    }),
  );
  if (count === 0) return source;
  if (out.includes('Buffer.alloc(0)')) throw new Error(`${file}: a Buffer.alloc(0) outside a createBase function`);
  return `${out}
/** Added by tools/proto/generate.mjs: the one default of every \`bytes\` field (empty, so never written to). */
const EMPTY_BYTES: Buffer = /* @__PURE__ */ Buffer.alloc(0);
`;
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
