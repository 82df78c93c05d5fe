// The SDK loads rxjs piece by piece (src/internal/rx.ts: `rxjs/internal/*`, never the barrel). Its
// Observables must still be the ones an app gets from `import … from 'rxjs'`, so that
// `instanceof`, `isObservable` and operators from either side mix: checked under Node's own
// resolution (ESM and CJS, the resolver and conditions an app runs with) and in bundles (esbuild
// for Node and for browsers, each picking rxjs's build by its own conditions).
import { build, type BuildOptions } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');
const src = join(root, 'packages/core/src/internal');

// What the SDK hands out, built from rx.ts's pieces as the SDK builds them.
const PROBE = `
import { iterableObservable } from ${JSON.stringify(join(src, 'streams/iterable-observable.ts'))};
import { defer, filter, flatten, map, observable, tap } from ${JSON.stringify(join(src, 'rx.ts'))};
import { Broadcast, ValueBroadcast } from ${JSON.stringify(join(src, 'broadcast.ts'))};

export function sdkObservables() {
  return {
    observable: observable((s) => s.complete()),
    iterableObservable: iterableObservable(observable((s) => s.next(1))),
    stateStream: new ValueBroadcast('ready').observable,
    broadcast: new Broadcast().observable,
    defer: defer(() => observable((s) => s.complete())),
    piped: observable((s) => s.next(1)).pipe(filter(Boolean), map((x) => x), flatten((x) => [x]), tap(() => undefined)),
  };
}
export const sdkMap = map;
`;

// The app: rxjs's public entry, asked about every SDK value, and mixing operators both ways.
const APP_CHECKS = `
const verdicts = {};
for (const [name, value] of Object.entries(probe.sdkObservables())) {
  verdicts[name] = value instanceof rxjs.Observable && rxjs.isObservable(value);
}
verdicts.appObservableThroughSdkOperator = rxjs.of(2).pipe(probe.sdkMap((x) => x * 2)) instanceof rxjs.Observable;
verdicts.sameSubscriberClass = (() => { let ok = false; probe.sdkObservables().observable.subscribe({ complete() { ok = true; } }); return ok; })();
console.log(JSON.stringify(verdicts));
`;

const ALL_TRUE = {
  observable: true,
  iterableObservable: true,
  stateStream: true,
  defer: true,
  piped: true,
  broadcast: true,
  appObservableThroughSdkOperator: true,
  sameSubscriberClass: true,
};

describe('rxjs entry points: the SDK takes rxjs piece by piece, an app gets the same classes', () => {
  let dir: string;

  beforeAll(() => {
    // Inside the workspace, so that `rxjs` resolves from its node_modules as it does for an app.
    mkdirSync(join(root, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(root, 'tmp', 'rxjs-entries-'));
    writeFileSync(join(dir, 'probe.ts'), PROBE);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (file: string) => JSON.parse(execFileSync(process.execPath, [file], { cwd: dir }).toString()) as Record<string, boolean>;

  /** The probe compiled on its own: rxjs stays an import that Node resolves. */
  const compileProbe = (format: 'esm' | 'cjs', outfile: string) =>
    build({ entryPoints: [join(dir, 'probe.ts')], outfile, bundle: true, format, platform: 'node', external: ['rxjs', 'rxjs/*'], logLevel: 'silent' });

  it('ESM: Node resolves `rxjs` and `rxjs/internal/*` to the same modules', async () => {
    await compileProbe('esm', join(dir, 'probe.mjs'));
    writeFileSync(join(dir, 'app.mjs'), `import * as rxjs from 'rxjs';\nimport * as probe from './probe.mjs';\n${APP_CHECKS}`);
    expect(run(join(dir, 'app.mjs'))).toEqual(ALL_TRUE);
  });

  it('CJS: require() resolves `rxjs` and `rxjs/internal/*` to the same modules', async () => {
    await compileProbe('cjs', join(dir, 'probe.cjs'));
    writeFileSync(join(dir, 'app.cjs'), `const rxjs = require('rxjs');\nconst probe = require('./probe.cjs');\n${APP_CHECKS}`);
    expect(run(join(dir, 'app.cjs'))).toEqual(ALL_TRUE);
  });

  const bundles: [string, BuildOptions][] = [
    ['for Node (rxjs\'s CommonJS build)', { platform: 'node', format: 'esm' }],
    ['for browsers (rxjs\'s ES5 modules)', { platform: 'browser', format: 'esm' }],
    ['for browsers with the es2015 condition (rxjs\'s ES2015 modules)', { platform: 'browser', format: 'esm', conditions: ['es2015'] }],
  ];

  it.each(bundles)('a bundle %s holds one copy of each class', async (_name, options) => {
    writeFileSync(join(dir, 'bundled-app.ts'), `import * as rxjs from 'rxjs';\nimport * as probe from './probe.ts';\n${APP_CHECKS}`);
    const outfile = join(dir, `bundle-${String(options.platform)}-${(options.conditions ?? []).join('')}.mjs`);
    await build({ entryPoints: [join(dir, 'bundled-app.ts')], outfile, bundle: true, logLevel: 'silent', ...options });
    expect(run(outfile)).toEqual(ALL_TRUE);
  });
});
