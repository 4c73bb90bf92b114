// The time axis's ticks: round clock times, as many as fit the chart's width (labels never overlap).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockTicks, ticksThatFit } from '../../../webview/clockTicks';

describe('time axis ticks', () => {
  const min = Date.UTC(2026, 11, 4, 12, 0, 7);
  it('puts at most six on round steps across a minute', () => {
    const ticks = clockTicks(min, min + 60_000);
    assert.deepEqual(ticks.map((t) => (t - min) / 1000), [3, 13, 23, 33, 43, 53]);
  });

  it('puts fewer, on a longer step, where the chart is narrow', () => {
    // A ~330 px chart (the dashboard's side by side in a narrow editor): four labels fit, not six.
    assert.equal(ticksThatFit(330), 4);
    const ticks = clockTicks(min, min + 60_000, ticksThatFit(330));
    assert.deepEqual(ticks.map((t) => (t - min) / 1000), [8, 23, 38, 53]);
    assert.equal(ticksThatFit(100), 2);
    assert.equal(ticksThatFit(2000), 6);
    assert.equal(ticksThatFit(0), 6);
  });
});
