export type Cell = string | number;

/** A plain-text table with right-aligned numbers, ready for a terminal or a markdown code block. */
export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [header, ...rows].map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = header.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], raw: readonly Cell[]) =>
    r
      .map((c, i) => (typeof raw[i] === 'number' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const [head, ...body] = text;
  return [line(head!, header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map((r, i) => line(r, rows[i]!))].join('\n');
}

/** The same rows as a GitHub markdown table, for docs/benchmarks.md. */
export function formatMarkdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = (r: readonly Cell[]) => `| ${r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)).join(' | ')} |`;
  return [cells(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(cells)].join('\n');
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) || Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(Math.abs(n) >= 10 ? 1 : 2);
}
