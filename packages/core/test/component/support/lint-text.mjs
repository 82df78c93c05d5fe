// Lints code snippets as if they were files of the workspace, with the root eslint.config.mjs.
// Runs as a child process: jest's module VM cannot load an ESM eslint config.
// stdin: [{ code, filePath }] (paths relative to the repo root); stdout: one messages array per case.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
const cases = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root });
const results = [];
for (const { code, filePath } of cases) {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  results.push(result.messages.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })));
}
process.stdout.write(JSON.stringify(results));
