// Every § mark in the code leads to a heading of a document inside the repository. Convention:
// `photo style §N` → docs/algorithm/photo-style.md; `DPH §N` → docs/algorithm/dph.md; `notes §N`
// or `algorithm-notes.md §N` → docs/algorithm-notes.md; `RFC <n> §N` → an external standard,
// accepted as is; a bare `§N` (or `spec §N`) → photo-style.md in companion/pipeline/photo-style/,
// dph.md everywhere else. A mark that continues a list (`photo style §2.2, §2.3`) takes the
// previous mark's document; a mark naming any other .md file does not resolve. A mark resolves
// when its document has a heading whose text starts with the number and then a space or a dot
// (`## 3. …`, `### 3.5 …`); a range (`§3.1–3.6`) checks both ends.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CODE_DIRS = ['companion', 'shared', 'plugin', 'bench', 'eval', 'scripts'];
const DOCS = { dph: 'docs/algorithm/dph.md', photo: 'docs/algorithm/photo-style.md', notes: 'docs/algorithm-notes.md' } as const;
type Doc = keyof typeof DOCS;
const PHOTO_STYLE_DIR = 'companion/pipeline/photo-style/';

/** Where a mark points: one of the documents, an external standard, or a document the convention does not know. */
type Target = { doc: Doc } | { external: string } | { unknown: string };

interface Mark {
  file: string;
  line: number;
  /** The mark as written, e.g. `§3.1–3.6`. */
  text: string;
  /** The section numbers it needs: one, or both ends of a range. */
  sections: string[];
  target: Target;
}

function walk(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : walk(rel, keep);
    return keep(e.name) ? [rel] : [];
  });
}

/** The files whose marks are checked: code under CODE_DIRS and the READMEs under companion/. */
function scannedFiles(): string[] {
  const code = CODE_DIRS.flatMap((d) => walk(d, (n) => /\.(ts|mjs|js)$/.test(n)));
  return [...code, ...walk('companion', (n) => n === 'README.md')];
}

const NUMBER = String.raw`\d+(?:\.\d+)*`;
const MARK = new RegExp(String.raw`§\s?(${NUMBER})(?:\s?[–-]\s?(${NUMBER}))?`, 'g');

/** The document a qualifier right before a mark names, or undefined when there is none. */
function qualifier(before: string): Target | undefined {
  if (/photo[ -]style\s*$/i.test(before)) return { doc: 'photo' };
  if (/\bDPH\s*$/i.test(before)) return { doc: 'dph' };
  const rfc = /\bRFC\s*(\d+)\s*$/i.exec(before);
  if (rfc) return { external: `RFC ${rfc[1]}` };
  if (/\bnotes\s*$/i.test(before)) return { doc: 'notes' };
  const file = /([\w./-]+\.md)\)?(?:\s*\([^()]*\))?\s*$/.exec(before);
  if (!file) return undefined;
  if (/(^|\/)algorithm-notes\.md$/.test(file[1])) return { doc: 'notes' };
  if (/(^|\/)algorithm\/dph\.md$/.test(file[1])) return { doc: 'dph' };
  if (/(^|\/)algorithm\/photo-style\.md$/.test(file[1])) return { doc: 'photo' };
  return { unknown: file[1] };
}

/** Every § mark of one file, with the document the convention sends it to. */
function marksIn(file: string, text: string): Mark[] {
  const marks: Mark[] = [];
  let previous: { end: number; target: Target } | undefined;
  for (const m of text.matchAll(MARK)) {
    const at = m.index!;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const own = qualifier(text.slice(lineStart, at));
    const continues = previous && /^\s*(?:,|and|or|&)\s*$/.test(text.slice(previous.end, at));
    const target = own ?? (continues ? previous!.target : { doc: file.startsWith(PHOTO_STYLE_DIR) ? 'photo' : 'dph' });
    const line = text.slice(0, at).split('\n').length;
    marks.push({ file, line, text: m[0], sections: m[2] ? [m[1], m[2]] : [m[1]], target });
    previous = { end: at + m[0].length, target };
  }
  return marks;
}

/** The section numbers a markdown document's headings start with (`## 3. …` → 3, `### 3.5 …` → 3.5). */
function headingNumbers(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const line of markdown.split('\n')) {
    const h = /^#{1,6}\s+(\d+(?:\.\d+)*)(?:\.?\s|\.?$)/.exec(line);
    if (h) out.add(h[1]);
  }
  return out;
}

/** Why a mark does not resolve, or undefined when it does. */
function problem(mark: Mark, headings: Readonly<Record<Doc, Set<string>>>): string | undefined {
  const where = `${mark.file}:${mark.line} ${mark.text}`;
  const t = mark.target;
  if ('external' in t) return undefined;
  if ('unknown' in t) return `${where} cites ${t.unknown}, which is not one of the documents marks may point at`;
  const missing = mark.sections.filter((s) => !headings[t.doc].has(s));
  return missing.length ? `${where} → ${DOCS[t.doc]} has no heading ${missing.map((s) => `§${s}`).join(', ')}` : undefined;
}

const headings = Object.fromEntries(Object.entries(DOCS).map(([k, f]) => [k, headingNumbers(readFileSync(path.join(root, f), 'utf8'))])) as Record<Doc, Set<string>>;
const files = scannedFiles();
const texts = new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
const marks = files.flatMap((f) => marksIn(f, texts.get(f)!));

describe('section marks', () => {
  it('finds the marks it checks, more than a hundred of them, in code and in READMEs', () => {
    expect(marks.length).toBeGreaterThan(100);
    expect(marks.some((m) => m.file.endsWith('.ts'))).toBe(true);
    expect(marks.some((m) => m.file.endsWith('README.md'))).toBe(true);
  });

  it('reads headings by their leading number only', () => {
    const h = headingNumbers('# Title 2\n## 3. Pass 2\n### 3.5 Losses\n### 4. Max-pool\n#### 9.7\ntext 5. no\n## 2025 plans');
    expect([...h].sort()).toEqual(['2025', '3', '3.5', '4', '9.7']);
    expect(headingNumbers('### 3.5 Losses').has('3')).toBe(false);
  });

  it('fails a planted unresolvable mark and resolves a planted good one', () => {
    const [bad, good] = marksIn('companion/x.ts', '// see §42.7 and then §3.5.');
    expect(problem(bad, headings)).toMatch(/§42\.7 → docs\/algorithm\/dph\.md has no heading §42\.7/);
    expect(problem(good, headings)).toBeUndefined();
  });

  it('sends each qualifier to its own document, and a bare mark by its folder', () => {
    const target = (file: string, text: string) => marksIn(file, text).map((m) => m.target);
    expect(target('companion/x.ts', 'DPH §1.4, photo style §2.2, §2.3; notes §4, docs/algorithm-notes.md §1; RFC 6454 §7; §2')).toEqual([
      { doc: 'dph' }, { doc: 'photo' }, { doc: 'photo' }, { doc: 'notes' }, { doc: 'notes' }, { external: 'RFC 6454' }, { doc: 'dph' },
    ]);
    expect(target(`${PHOTO_STYLE_DIR}x.ts`, 'spec §2.1 and DPH §1.4')).toEqual([{ doc: 'photo' }, { doc: 'dph' }]);
  });

  it('refuses a mark that cites a document other than the ones marks may point at', () => {
    const [kit] = marksIn('plugin/x.ts', 'Rules: docs/photoshop-uxp.md (team kit) §1.3–1.5.');
    expect(problem(kit, headings)).toMatch(/cites docs\/photoshop-uxp\.md/);
    const [ours] = marksIn('plugin/x.ts', 'see docs/algorithm/dph.md §3.5');
    expect(problem(ours, headings)).toBeUndefined();
  });

  it('checks both ends of a range and only the section of "§9 items 6–7"', () => {
    expect(marksIn('companion/x.ts', '§3.1–3.6 and §1.3-1.5; §9 items 6–7').map((m) => m.sections)).toEqual([['3.1', '3.6'], ['1.3', '1.5'], ['9']]);
    const [range] = marksIn('companion/x.ts', '§3.1–3.9');
    expect(problem(range, headings)).toMatch(/no heading §3\.9$/);
  });

  it('resolves every § mark in the code to a heading of its document', () => {
    expect(marks.map((m) => problem(m, headings)).filter((p) => p !== undefined)).toEqual([]);
  });

  it("sends no reader to the team kit's documents outside the repository", () => {
    expect(files.filter((f) => /\.\.\/shared\/docs\//.test(texts.get(f)!))).toEqual([]);
  });
});
