/** Runs cfn-lint (the Python package the README asks for) over synthesized templates, in one process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** cfn-lint's exit status and findings (one per line, "file:line:col:...:rule:message") over `templates` by name. */
export function cfnLint(templates: Readonly<Record<string, object>>): { status: number | null; findings: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
  const files = Object.entries(templates).map(([name, template]) => {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(template, null, 1));
    return file;
  });
  const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...files], { encoding: 'utf8' });
  if (lint.error) throw lint.error;
  return { status: lint.status, findings: `${lint.stdout}${lint.stderr}`.trim() };
}
