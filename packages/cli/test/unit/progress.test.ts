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

  it('prints one plain line per checkpoint when not on a terminal', () => {
    const out = new BufferWriter();
    const progress = new Progress(out, false, 2000);
    progress.consumed(700);
    progress.checkpointed(1, 500);
    progress.finish();
    expect(out.text).toBe('checkpoint 1: 500/2000 clicks (25%)\n');
  });
});
