#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per file, top N.
//   node tools/bench/profile-summary.mjs <file.cpuprofile> [top=25] [filter]
import { readFileSync } from 'node:fs';

const [file, topArg, filter] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const n = byId.get(profile.samples[i]);
  self.set(n.id, (self.get(n.id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnTimes = new Map();
const fileTimes = new Map();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const short = url.replace(/^.*\/(node_modules|packages)\//, '$1/');
  if (filter && !short.includes(filter)) continue;
  const key = `${functionName || '(anonymous)'}  ${short}:${lineNumber + 1}`;
  fnTimes.set(key, (fnTimes.get(key) ?? 0) + us);
  fileTimes.set(short || '(native)', (fileTimes.get(short || '(native)') ?? 0) + us);
}
const show = (title, m) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
show('self time by function', fnTimes);
show('self time by file', fileTimes);
