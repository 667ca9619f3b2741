import { Progress } from '../../src/example/progress.js';
import { BufferWriter } from '../../src/index.js';

describe('run-example progress', () => {
  it('redraws one bar in place on a terminal, at most every 100 ms, and ends its line', () => {
    const out = new BufferWriter();
    let now = 0;
    const progress = new Progress(out, true, 1000, () => now);
    progress.consumed(1);
    progress.consumed(2);
    now = 150;
    progress.consumed(500);
    progress.checkpointed(3, 500);
    progress.consumed(1000);
    progress.finish();
    const frames = out.text.split('\r').filter((f) => f !== '');
    expect(frames).toEqual([
      '[------------------------------]   0%  1/1000 clicks\u001b[K',
      '[###############---------------]  50%  500/1000 clicks\u001b[K',
      '[###############---------------]  50%  500/1000 clicks  checkpoint 3\u001b[K',
      '[##############################] 100%  1000/1000 clicks  checkpoint 3\u001b[K\n',
    ]);
  });

  it('fits the bar to the terminal, and drops it on a very narrow one, so the line never wraps', () => {
    const out = new BufferWriter();
    let columns = 50;
    const progress = new Progress(
      out,
      true,
      1000,
      () => 0,
      () => columns,
    );
    progress.consumed(500);
    progress.checkpointed(3, 500);
    columns = 20;
    progress.checkpointed(4, 500);
    columns = 8;
    progress.checkpointed(5, 500);
    const frames = out.text.split('\r').filter((f) => f !== '');
    expect(frames).toEqual([
      '[#############------------]  50%  500/1000 clicks\u001b[K',
      '[######-----]  50%  500/1000 clicks  checkpoint 3\u001b[K',
      ' 50%  500/1000 clic\u001b[K',
      ' 50%  5\u001b[K',
    ]);
    for (const [frame, width] of [
      [frames[0], 50],
      [frames[1], 50],
      [frames[2], 20],
      [frames[3], 8],
    ] as const) {
      expect(frame?.replace('\u001b[K', '').length).toBeLessThan(width);
    }
  });

  it('prints one plain line per checkpoint when not on a terminal', () => {
    const out = new BufferWriter();
    const progress = new Progress(out, false, 2000);
    progress.consumed(700);
    progress.checkpointed(1, 500);
    progress.finish();
    expect(out.text).toBe('checkpoint 1: 500/2000 clicks (25%)\n');
  });
});
