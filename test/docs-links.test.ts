/**
 * The documentation a newcomer follows: every relative link in the README, the guides and
 * the packages' READMEs leads to a file that exists and, for `#anchors`, to a heading there;
 * the README stays a short front page that keeps the repository's two commands.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  brokenLinks,
  headingAnchors,
  headingSlug,
  relativeLinks,
} from './support/markdown-links.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const README_MAX_LINES = 260;

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name));
  const packageReadmes = readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name, 'README.md'))
    .filter((path) => existsSync(path));
  return [join(root, 'README.md'), join(root, 'examples', 'README.md'), ...docs, ...packageReadmes];
}

describe('documentation links', () => {
  it('every relative link leads to an existing file and heading', () => {
    const files = markdownFiles();
    expect(files.length).toBeGreaterThan(10);
    const broken = brokenLinks(files).map(
      (link) => `${link.file.slice(root.length)}:${link.line} ${link.target}: ${link.problem}`,
    );
    expect(broken).toEqual([]);
  });

  it('the README is a short front page with the repository commands', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});

describe('the link checker', () => {
  it('makes anchors as GitHub does', () => {
    expect(headingSlug('`ferry agent`')).toBe('ferry-agent');
    expect(headingSlug('One sync engine per store, across tabs (I6)')).toBe(
      'one-sync-engine-per-store-across-tabs-i6',
    );
    expect(headingSlug('Conditions, failures and budgets')).toBe('conditions-failures-and-budgets');
    expect(headingSlug('Push — `POST /v1/push`')).toBe('push--post-v1push');
    expect([...headingAnchors('# Options\n\n## Options\n```\n# not a heading\n```\n')]).toEqual([
      'options',
      'options-1',
    ]);
  });

  it('reads links outside code only, and leaves other sites alone', () => {
    const markdown = [
      'See [a](a.md#x), ![b](img/b.png) and [web](https://example.com).',
      'Not `[code](code.md)`.',
      '```',
      '[fenced](fenced.md)',
      '```',
    ].join('\n');
    expect(relativeLinks(markdown)).toEqual([
      { target: 'a.md#x', line: 1 },
      { target: 'img/b.png', line: 1 },
    ]);
  });

  it('reports a missing file and an anchor with no heading', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-docs-links-'));
    writeFileSync(join(dir, 'guide.md'), '# Guide\n\n## Getting started\n');
    writeFileSync(
      join(dir, 'index.md'),
      [
        '[fine](guide.md#getting-started) [self](#index)',
        '# Index',
        '[gone](missing.md) [wrong](guide.md#setup)',
      ].join('\n'),
    );
    const broken = brokenLinks([join(dir, 'index.md')]).map(({ target, line, problem }) => ({
      target,
      line,
      problem,
    }));
    expect(broken).toEqual([
      { target: 'missing.md', line: 3, problem: 'no file missing.md' },
      { target: 'guide.md#setup', line: 3, problem: 'no heading with anchor #setup' },
    ]);
  });
});
