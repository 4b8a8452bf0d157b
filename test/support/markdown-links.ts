/**
 * Finds the relative links in markdown files that lead nowhere: a file that does not exist,
 * or an `#anchor` that matches no heading of the markdown file it points into. Anchors follow
 * GitHub's rules, since that is where readers follow them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface MarkdownLink {
  /** The target as written, e.g. `docs/client.md#errors`. */
  target: string;
  line: number;
}

export interface BrokenLink extends MarkdownLink {
  file: string;
  problem: string;
}

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
// [text](target) and ![alt](target); the text may hold one level of brackets (badges, code).
const INLINE_LINK = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const INLINE_CODE = /`+[^`]*`+/g;
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** The lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let inFence = false;
  markdown.split('\n').forEach((text, index) => {
    if (FENCE.test(text)) inFence = !inFence;
    else if (!inFence) lines.push({ text, line: index + 1 });
  });
  return lines;
}

/**
 * GitHub's anchor for a heading: the rendered text lower-cased, punctuation dropped (letters,
 * digits, `_`, `-` and spaces stay), each space turned into `-`.
 */
export function headingSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text only
    .replace(/`/g, '')
    .replace(/<[^>]+>/g, '');
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor the file's headings get; a repeated heading gets `-1`, `-2`… as on GitHub. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const match = HEADING.exec(text);
    if (!match?.[2]) continue;
    const slug = headingSlug(match[2]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The links that stay inside the repository (no scheme), outside code. */
export function relativeLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { text, line } of proseLines(markdown)) {
    for (const match of text.replace(INLINE_CODE, '').matchAll(INLINE_LINK)) {
      const target = match[1];
      if (target && !EXTERNAL.test(target)) links.push({ target, line });
    }
  }
  return links;
}

/** The links of `files` (absolute paths) whose file is missing or whose anchor matches no heading. */
export function brokenLinks(files: readonly string[]): BrokenLink[] {
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (path: string) => {
    let known = anchorsOf.get(path);
    if (!known) {
      known = headingAnchors(readFileSync(path, 'utf8'));
      anchorsOf.set(path, known);
    }
    return known;
  };

  const broken: BrokenLink[] = [];
  for (const file of files) {
    for (const link of relativeLinks(readFileSync(file, 'utf8'))) {
      const [path = '', anchor] = link.target.split('#', 2);
      const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!existsSync(target)) {
        broken.push({ ...link, file, problem: `no file ${path}` });
      } else if (anchor !== undefined && target.endsWith('.md') && !anchors(target).has(anchor)) {
        broken.push({ ...link, file, problem: `no heading with anchor #${anchor}` });
      }
    }
  }
  return broken;
}
