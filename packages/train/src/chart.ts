/**
 * A dependency-free SVG chart of a training run: loss (left panel) and accuracy (right panel) per
 * epoch, training and validation, written beside the metrics log.
 */
import type { EpochLogs } from './train.js';

interface Series {
  name: string;
  color: string;
  dashed: boolean;
  values: number[];
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function panel(title: string, series: Series[], x0: number, width: number, height: number): string {
  const pad = { left: 52, right: 12, top: 28, bottom: 34 };
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  const n = Math.max(1, ...series.map((s) => s.values.length));
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const px = (i: number) => x0 + pad.left + (n === 1 ? 0.5 : i / (n - 1)) * (width - pad.left - pad.right);
  const py = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const parts: string[] = [];
  parts.push(
    `<text x="${x0 + width / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
  );
  parts.push(
    `<rect x="${x0 + pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${height - pad.top - pad.bottom}" fill="none" stroke="#ccc"/>`,
  );
  for (let t = 0; t <= 4; t++) {
    const v = lo + ((hi - lo) * t) / 4;
    parts.push(
      `<text x="${x0 + pad.left - 4}" y="${py(v) + 4}" text-anchor="end" font-size="10">${v.toPrecision(3)}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + (width + pad.left) / 2}" y="${height - 8}" text-anchor="middle" font-size="11">epoch (1…${n})</text>`,
  );
  series.forEach((s, k) => {
    const points = s.values
      .map((v, i) => (Number.isFinite(v) ? `${px(i).toFixed(1)},${py(v).toFixed(1)}` : ''))
      .filter(Boolean);
    if (points.length === 0) return;
    const dash = s.dashed ? ' stroke-dasharray="5,3"' : '';
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points.join(' ')}"/>`,
    );
    for (const p of points) {
      const [cx, cy] = p.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
    }
    const ly = pad.top + 14 + k * 14;
    parts.push(
      `<line x1="${x0 + width - 110}" y1="${ly - 4}" x2="${x0 + width - 90}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${x0 + width - 86}" y="${ly}" font-size="10">${escapeXml(s.name)}</text>`,
    );
  });
  return parts.join('\n');
}

/** Renders epoch logs as a two-panel SVG (loss, accuracy; train solid, validation dashed). */
export function renderTrainingChart(history: readonly EpochLogs[]): string {
  const col = (key: string) => history.map((h) => (typeof h[key] === 'number' ? h[key] : Number.NaN));
  const has = (key: string) => history.some((h) => typeof h[key] === 'number');
  const loss: Series[] = [{ name: 'train loss', color: '#1f77b4', dashed: false, values: col('loss') }];
  if (has('val_loss'))
    loss.push({ name: 'val loss', color: '#ff7f0e', dashed: true, values: col('val_loss') });
  const acc: Series[] = [];
  if (has('accuracy'))
    acc.push({ name: 'train acc', color: '#1f77b4', dashed: false, values: col('accuracy') });
  if (has('val_accuracy'))
    acc.push({ name: 'val acc', color: '#ff7f0e', dashed: true, values: col('val_accuracy') });
  const width = 400;
  const height = 260;
  const total = acc.length ? 2 * width : width;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${height}" viewBox="0 0 ${total} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel('loss', loss, 0, width, height),
    acc.length ? panel('accuracy', acc, width, width, height) : '',
    '</svg>',
    '',
  ].join('\n');
}
