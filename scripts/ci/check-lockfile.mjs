#!/usr/bin/env node
// Did `npm install` honour the committed lockfile? Compares the lockfile as committed (git HEAD) with the
// one npm just wrote. Every package the committed lockfile pins must keep its version and integrity; an
// entry that npm adds or drops is tolerated only when it is an optional, platform-specific binary
// (npm versions disagree on whether other platforms' optional packages are written: npm/cli#4828). A
// changed version, a new non-optional package, or a dropped required one fails the check.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const committed = JSON.parse(execFileSync('git', ['show', 'HEAD:package-lock.json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const written = JSON.parse(readFileSync('package-lock.json', 'utf8'));

const before = committed.packages ?? {};
const after = written.packages ?? {};
const problems = [];

for (const [path, pkg] of Object.entries(before)) {
  const now = after[path];
  if (!now) {
    if (!pkg.optional) problems.push(`${path || '(root)'}: pinned in the lockfile but dropped by npm install`);
    continue;
  }
  if (path === '') {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      if (JSON.stringify(pkg[field] ?? {}) !== JSON.stringify(now[field] ?? {})) {
        problems.push(`package.json ${field} differ from the lockfile: run npm install and commit package-lock.json`);
      }
    }
    continue;
  }
  if (pkg.version !== now.version) problems.push(`${path}: locked ${pkg.version}, installed ${now.version}`);
  else if (pkg.integrity && now.integrity && pkg.integrity !== now.integrity) problems.push(`${path}: integrity changed`);
}
for (const [path, pkg] of Object.entries(after)) {
  if (!before[path] && !pkg.optional) problems.push(`${path}: installed ${pkg.version} but not in the lockfile`);
}

if (problems.length > 0) {
  console.error('package-lock.json does not match what npm install resolved:');
  for (const p of problems) console.error(`  - ${p}`);
  console.error('Run npm install and commit package-lock.json.');
  process.exit(1);
}
const added = Object.keys(after).filter((p) => !before[p]).length;
const dropped = Object.keys(before).filter((p) => !after[p]).length;
console.log(`package-lock.json honoured: ${Object.keys(before).length - 1} locked packages unchanged` +
  (added || dropped ? ` (npm added ${added} and dropped ${dropped} optional platform entries)` : ''));
