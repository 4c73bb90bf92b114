// Many worker lines drawn straight onto a chart's canvas, under its datasets. Chart.js spends about as
// much per dataset (option resolution, elements, plugins) as on its points; at 64 workers, with RSS and
// PSS and the workers a reload replaced, that is hundreds of datasets and the slowest part of a redraw.
// Past a few dozen series the per-worker lines come here instead: one path per line, same colours, no
// per-line tooltip (the workers table has the values, sortable).
import type { Plugin } from 'chart.js';
import type { XY } from './thin';

export interface BulkLine {
  data: readonly XY[];
  color: string;
  dash: boolean;
  width: number;
}

/** A plugin drawing `lines()` clipped to the chart area; a gap wider than `gapMs()` breaks a line. */
export function bulkLinesPlugin(lines: () => readonly BulkLine[], gapMs: () => number): Plugin<'line'> {
  return {
    id: 'gunicornLiveBulkLines',
    beforeDatasetsDraw(chart) {
      const list = lines();
      if (list.length === 0) return;
      const { ctx, chartArea: area, scales: { x, y } } = chart;
      if (!x || !y) return;
      const gap = gapMs();
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      ctx.lineJoin = 'round';
      // Slightly see-through: where many lines cross, the busy band shows darker than a lone line.
      ctx.globalAlpha = 0.7;
      for (const line of list) {
        if (line.data.length === 0) continue;
        ctx.strokeStyle = line.color;
        ctx.lineWidth = line.width;
        ctx.setLineDash(line.dash ? [4, 3] : []);
        ctx.beginPath();
        let prevX = -Infinity;
        for (const p of line.data) {
          const px = x.getPixelForValue(p.x);
          const py = y.getPixelForValue(p.y);
          if (p.x - prevX > gap) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
          prevX = p.x;
        }
        ctx.stroke();
      }
      ctx.restore();
    },
  };
}
