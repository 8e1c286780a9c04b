/** A small live chart of loss (left axis) and accuracy (right axis, 0–1) per step, on a canvas. */
import type { StepReport } from './finetune.js';

/** Redraws `canvas` with every report so far. */
export function drawChart(canvas: HTMLCanvasElement, reports: readonly StepReport[]): void {
  const context = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = 28;
  context.clearRect(0, 0, width, height);
  context.strokeStyle = '#ccc';
  context.strokeRect(pad, 8, width - 2 * pad, height - pad - 8);
  context.fillStyle = '#555';
  context.font = '11px system-ui, sans-serif';
  context.fillText('loss', 2, 16);
  context.fillText('acc', width - pad + 4, 16);
  context.fillText(`step ${reports.length}`, width / 2 - 20, height - 6);
  if (reports.length === 0) return;
  const maxLoss = Math.max(...reports.map((r) => r.loss), 1e-6);
  const x = (i: number) => pad + ((width - 2 * pad) * i) / Math.max(1, reports.length - 1);
  const y = (fraction: number) => 8 + (height - pad - 8) * (1 - fraction);
  const line = (color: string, value: (r: StepReport) => number) => {
    context.strokeStyle = color;
    context.lineWidth = 2;
    context.beginPath();
    reports.forEach((report, i) => {
      if (i === 0) context.moveTo(x(i), y(value(report)));
      else context.lineTo(x(i), y(value(report)));
    });
    context.stroke();
  };
  line('#d9480f', (r) => r.loss / maxLoss);
  line('#1971c2', (r) => r.accuracy);
  context.fillStyle = '#d9480f';
  context.fillText(maxLoss.toFixed(2), 2, 28);
}
