// The container image definition, checked without a Docker daemon: node:20-slim, production dependencies
// only, a build stage for dist/, root on purpose, and every file it copies present and not excluded by
// .dockerignore.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/cli.js';

const lines = readFileSync(join(REPO, 'Dockerfile'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'));
const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'));

test('two node:20-slim stages; the final one installs production dependencies only', () => {
  assert.deepEqual(
    lines.filter((l) => l.startsWith('FROM ')),
    ['FROM node:20-slim AS build', 'FROM node:20-slim'],
  );
  const final = lines.slice(lines.indexOf('FROM node:20-slim'));
  assert.ok(final.some((l) => /^RUN npm ci --omit=dev\b/.test(l)));
  assert.ok(final.includes('COPY --from=build /src/dist ./dist'));
  assert.ok(final.includes('USER 0'));
  assert.ok(final.includes('ENTRYPOINT ["node", "/app/dist/cli/main.js"]'));
  assert.ok(final.includes('CMD ["run", "--config", "/etc/oomguard/oomguard.toml"]'));
  const build = lines.slice(0, lines.indexOf('FROM node:20-slim'));
  assert.ok(build.includes('RUN npm run build'));
});

test('every COPY source exists and is not excluded by .dockerignore', () => {
  const sources = lines
    .filter((l) => l.startsWith('COPY ') && !l.startsWith('COPY --from'))
    .flatMap((l) => l.split(/\s+/).slice(1, -1));
  assert.deepEqual(sources, [
    'package.json',
    'package-lock.json',
    '.npmrc',
    'tsconfig.json',
    'tsconfig.build.json',
    'src',
    'package.json',
    'package-lock.json',
    '.npmrc',
    'examples/oomguard.toml',
  ]);
  for (const s of sources) {
    assert.ok(existsSync(join(REPO, s)), `${s} exists`);
    assert.ok(!ignored.some((i) => s === i || s.startsWith(`${i}/`)), `${s} is not in .dockerignore`);
  }
  for (const heavy of ['node_modules', 'dist', '.git', 'test'])
    assert.ok(ignored.includes(heavy), `${heavy} ignored`);
});
