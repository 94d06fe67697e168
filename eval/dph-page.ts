// What a person looks at after `npm run eval -- dph`: one strip per example (naive | pass 1 |
// pass 2 | final | published pass 2 | published final), an HTML page with all strips and their
// figures, and a contact sheet PNG of all strips.
import { writeFile } from 'node:fs/promises';
import sharp, { type OverlayOptions } from 'sharp';
import type { DphEvalResults } from './dph-results.js';
import { formatSpread } from './dph-results.js';

export const PANELS = ['naive', 'pass 1', 'pass 2', 'final (post-processed)', 'published pass 2', 'published final'] as const;

export interface StripEntry {
  example: number;
  /** Path of the strip PNG relative to the page. */
  strip: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function configLine(r: DphEvalResults): string {
  const c = r.config;
  return `${c.backbone}, ${c.size} px, ${c.pass1Iters} + ${c.pass2Iters} iterations, ${c.repeats} repeat(s), device ${c.device}${c.commit ? `, commit ${c.commit}` : ''}`;
}

export function htmlPage(r: DphEvalResults, strips: readonly StripEntry[]): string {
  const byExample = new Map(r.examples.map((e) => [e.example, e]));
  const overall = r.overall
    ? `<p class="overall">mean over ${r.examples.length} examples: colour <b>${formatSpread(r.overall.colour)}</b>, structure <b>${formatSpread(r.overall.structure)}</b>
      (± = sd over repeats of the all-example mean; per-example sd averaged: colour ${r.overall.colour.meanExampleSd?.toFixed(3) ?? '—'}, structure ${r.overall.structure.meanExampleSd?.toFixed(3) ?? '—'})</p>`
    : '';
  const rows = strips.map((s) => {
    const e = byExample.get(s.example);
    const figures = e ? `τ ${e.tau.toFixed(2)} · colour ${formatSpread(e.colour)} · structure ${formatSpread(e.structure)}` : '';
    return `<section id="ex${s.example}"><h2>example ${s.example} <small>${escapeHtml(figures)}</small></h2><img src="${escapeHtml(s.strip)}" alt="example ${s.example}"></section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Painterly dph eval: ${escapeHtml(r.config.backbone)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em; background: #222; color: #eee; }
h2 { font-size: 15px; margin: 1.2em 0 .3em; } small { font-weight: normal; color: #bbb; }
.cols { display: grid; grid-template-columns: repeat(${PANELS.length}, 1fr); position: sticky; top: 0; background: #222; padding: .3em 0; }
img { width: 100%; display: block; }
</style></head><body>
<h1>Harmonization against the published results</h1>
<p>${escapeHtml(configLine(r))}${r.complete ? '' : ' — <b>run still going or interrupted</b>'}. Figures: ours / naive paste against the published pass 2 (lower is better; mean ± sd over repeats). Images are from repeat 0.</p>
${overall}
<div class="cols">${PANELS.map((p) => `<span>${p}</span>`).join('')}</div>
${rows.join('\n')}
</body></html>
`;
}

/** All strips stacked, each under a label, at `panelWidth` pixels per panel. */
export async function writeContactSheet(r: DphEvalResults, strips: readonly (StripEntry & { file: string })[], file: string, panelWidth = 180): Promise<void> {
  const width = panelWidth * PANELS.length;
  const labelHeight = 22;
  const byExample = new Map(r.examples.map((e) => [e.example, e]));
  const text = (s: string, w: number, h: number, size = 14): Buffer =>
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" fill="white"/>` +
      `<text x="4" y="${h - 6}" font-family="DejaVu Sans, sans-serif" font-size="${size}">${escapeHtml(s)}</text></svg>`);
  const parts: OverlayOptions[] = [];
  let y = 0;
  PANELS.forEach((p, i) => parts.push({ input: text(p, panelWidth, labelHeight, 13), left: i * panelWidth, top: 0 }));
  y += labelHeight;
  for (const s of strips) {
    const e = byExample.get(s.example);
    const label = `example ${s.example}` + (e ? `  τ ${e.tau.toFixed(2)}  colour ${formatSpread(e.colour)}  structure ${formatSpread(e.structure)}` : '');
    parts.push({ input: text(label, width, labelHeight), left: 0, top: y });
    y += labelHeight;
    const { data, info } = await sharp(s.file).resize({ width }).png().toBuffer({ resolveWithObject: true });
    parts.push({ input: data, left: 0, top: y });
    y += info.height;
  }
  await sharp({ create: { width, height: y, channels: 3, background: { r: 255, g: 255, b: 255 } } }).composite(parts).png().toFile(file);
}

export async function writePage(r: DphEvalResults, strips: readonly StripEntry[], file: string): Promise<void> {
  await writeFile(file, htmlPage(r, strips));
}
