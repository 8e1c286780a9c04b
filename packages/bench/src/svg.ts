/**
 * A hand-written SVG bar chart (no dependencies): horizontal grouped bars on a log scale, one group
 * per model and case, one bar per runtime.
 */

/** One series of the chart (a runtime). */
export interface ChartSeries {
  /** Key matched by {@link ChartBar.series}. */
  key: string;
  /** Legend label. */
  label: string;
  /** Fill colour (any SVG colour). */
  color: string;
}

/** One bar: a series' value in a group; a missing value draws its note instead. */
export interface ChartBar {
  /** The series it belongs to. */
  series: string;
  /** The value (must be positive to be drawn on the log scale). */
  value?: number;
  /** Text drawn when there is no value (e.g. `skipped`). */
  note?: string;
}

/** A group of bars under one label. */
export interface ChartGroup {
  /** Label left of the group. */
  label: string;
  /** Its bars, in series order. */
  bars: ChartBar[];
}

/** A titled section of groups (e.g. one case: inference at batch 1). */
export interface ChartSection {
  /** Heading of the section. */
  title: string;
  /** Its groups. */
  groups: ChartGroup[];
}

/** What {@link barChartSvg} draws. */
export interface BarChart {
  /** Title at the top. */
  title: string;
  /** Subtitle (machine, date, load). */
  subtitle?: string;
  /** Unit of the values, shown on the axis. */
  unit: string;
  /** The series, in legend and bar order. */
  series: ChartSeries[];
  /** The sections, top to bottom. */
  sections: ChartSection[];
}

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
}

function formatValue(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** Draws `chart` as a standalone SVG document. */
export function barChartSvg(chart: BarChart): string {
  const barHeight = 11;
  const groupGap = 8;
  const sectionGap = 26;
  const labelWidth = 150;
  const plotWidth = 560;
  const valueWidth = 70;
  const width = labelWidth + plotWidth + valueWidth + 20;
  const values = chart.sections
    .flatMap((s) => s.groups.flatMap((g) => g.bars.map((b) => b.value ?? 0)))
    .filter((v) => v > 0);
  const minExp = Math.floor(Math.log10(Math.min(...values, 1)));
  const maxExp = Math.max(minExp + 1, Math.ceil(Math.log10(Math.max(...values, 1))));
  const x = (value: number): number =>
    labelWidth + ((Math.log10(value) - minExp) / (maxExp - minExp)) * plotWidth;
  const parts: string[] = [];
  let y = 20;
  parts.push(`<text x="10" y="${y}" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`);
  y += 16;
  if (chart.subtitle) {
    parts.push(`<text x="10" y="${y}" font-size="10" fill="#555">${escapeXml(chart.subtitle)}</text>`);
    y += 14;
  }
  // Legend.
  let legendX = 10;
  for (const series of chart.series) {
    parts.push(`<rect x="${legendX}" y="${y}" width="10" height="10" fill="${escapeXml(series.color)}"/>`);
    parts.push(`<text x="${legendX + 14}" y="${y + 9}" font-size="10">${escapeXml(series.label)}</text>`);
    legendX += 24 + series.label.length * 6;
  }
  y += 24;
  const plotTop = y;
  for (const section of chart.sections) {
    parts.push(
      `<text x="10" y="${y + 12}" font-size="12" font-weight="bold">${escapeXml(section.title)}</text>`,
    );
    y += 20;
    for (const group of section.groups) {
      const groupHeight = group.bars.length * barHeight;
      parts.push(
        `<text x="${labelWidth - 6}" y="${y + groupHeight / 2 + 4}" font-size="11" text-anchor="end">${escapeXml(group.label)}</text>`,
      );
      for (const bar of group.bars) {
        const series = chart.series.find((s) => s.key === bar.series);
        const color = series?.color ?? '#999';
        if (bar.value !== undefined && bar.value > 0) {
          const end = x(bar.value);
          parts.push(
            `<rect x="${labelWidth}" y="${y + 1}" width="${Math.max(1, end - labelWidth).toFixed(1)}" height="${barHeight - 2}" fill="${escapeXml(color)}"><title>${escapeXml(`${series?.label ?? bar.series}: ${formatValue(bar.value)} ${chart.unit}`)}</title></rect>`,
          );
          parts.push(
            `<text x="${(end + 3).toFixed(1)}" y="${y + barHeight - 2}" font-size="9">${formatValue(bar.value)}</text>`,
          );
        } else {
          parts.push(
            `<text x="${labelWidth + 3}" y="${y + barHeight - 2}" font-size="9" fill="#888">${escapeXml(`${series?.label ?? bar.series}: ${bar.note ?? 'n/a'}`)}</text>`,
          );
        }
        y += barHeight;
      }
      y += groupGap;
    }
    y += sectionGap - groupGap;
  }
  // Log-scale grid and axis labels.
  const grid: string[] = [];
  for (let e = minExp; e <= maxExp; e++) {
    const gx = x(10 ** e).toFixed(1);
    grid.push(`<line x1="${gx}" y1="${plotTop}" x2="${gx}" y2="${y}" stroke="#ddd"/>`);
    grid.push(
      `<text x="${gx}" y="${y + 12}" font-size="9" text-anchor="middle">${formatValue(10 ** e)}</text>`,
    );
  }
  grid.push(
    `<text x="${labelWidth + plotWidth / 2}" y="${y + 26}" font-size="10" text-anchor="middle">${escapeXml(chart.unit)} (log scale)</text>`,
  );
  const height = y + 36;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...grid,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
