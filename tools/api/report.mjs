#!/usr/bin/env node
// API reports: one `etc/<entry>.api.md` per public entry point of every package, written by
// api-extractor from the built `.d.ts` files, so every change to the public surface shows up in
// review as a diff of that file.
//   npm run api:update   rewrite the reports (after `npm run build`)
//   npm run api:check    fail when a report differs from the built declarations (CI)
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');

/** Every `exports` entry of a package that has types: `.` → `index`, `./jest/global-setup` → `jest-global-setup`. */
function entries(pkgDir) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const out = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const types = target?.import?.types;
    if (typeof types !== 'string') continue;
    const name = subpath === '.' ? manifest.name.replace('@kubemq/', '') : `${manifest.name.replace('@kubemq/', '')}-${subpath.slice(2).replaceAll('/', '-')}`;
    out.push({ subpath, name, dts: join(pkgDir, types) });
  }
  return out;
}

/**
 * Entry points for the SDK's own packages, not for applications (`@kubemq/core/internal`, the
 * emulator's generated `wire` codecs): they use the main entry's types without re-exporting them,
 * by design, so api-extractor's "forgotten export" warnings say nothing there.
 */
const PACKAGE_INTERNAL_SUBPATHS = new Set(['./internal', './wire']);

let failures = 0;
for (const pkg of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', pkg);
  if (!existsSync(join(pkgDir, 'package.json'))) continue;
  const reportFolder = join(pkgDir, 'etc');
  mkdirSync(reportFolder, { recursive: true });
  for (const entry of entries(pkgDir)) {
    if (!existsSync(entry.dts)) {
      console.error(`${entry.name}: ${entry.dts} is missing; run the build first`);
      failures++;
      continue;
    }
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: pkgDir,
        mainEntryPointFilePath: entry.dts,
        compiler: {
          // The declarations as a user's compiler sees them (Node's types, strict, NodeNext).
          overrideTsconfig: {
            compilerOptions: { target: 'ES2022', lib: ['ES2022'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] },
            // dist/node's declarations re-export dist/cjs's (core and the patterns); the others' are in dist/esm.
            include: [join(pkgDir, 'dist/**/*.d.ts')],
          },
        },
        apiReport: { enabled: true, reportFileName: `${entry.name}.api.md`, reportFolder, reportTempFolder: join(root, 'tmp', 'api', pkg) },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          extractorMessageReporting: {
            default: { logLevel: 'warning', addToApiReportFile: true },
            // Release tags (@public/@beta) are not used in this project.
            'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
            // Undocumented members stay marked `// (undocumented)` where they are declared; the
            // warning list at the end would add their source line numbers, so that any edit above
            // them would change the report (typedoc enforces TSDoc on the main entries anyway).
            'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
            ...(PACKAGE_INTERNAL_SUBPATHS.has(entry.subpath) && { 'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: false } }),
          },
          tsdocMessageReporting: { default: { logLevel: 'none' } },
        },
      },
      configObjectFullPath: join(pkgDir, 'api-extractor.json'),
      packageJsonFullPath: join(pkgDir, 'package.json'),
    });
    let result;
    try {
      result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false, messageCallback: (m) => {
        // Compiler and analysis warnings go into the report itself; keep the console for errors.
        if (m.logLevel !== 'error') m.handled = true;
      } });
    } catch (err) {
      // A declaration file that cannot be read (a build still writing dist/, say): this entry fails, the others still run.
      failures++;
      console.error(`${entry.name}: api-extractor could not read the declarations (${err instanceof Error ? err.message : String(err)}); build again`);
      continue;
    }
    if (!result.succeeded || (check && result.apiReportChanged)) {
      failures++;
      console.error(`${entry.name}: ${result.apiReportChanged ? `the public API differs from etc/${entry.name}.api.md (run npm run api:update and review the diff)` : 'api-extractor failed'}`);
    } else {
      console.log(`${entry.name}: ${check ? 'matches' : 'written to'} ${pkg}/etc/${entry.name}.api.md`);
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
