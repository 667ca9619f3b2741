import { type Click, clickAt, clickStream, PAGES } from '../../src/index.js';

const options = { seed: 7, records: 3_000, users: 50 };

async function collect(stream: AsyncIterable<Click>): Promise<Click[]> {
  const clicks: Click[] = [];
  for await (const click of stream) clicks.push(click);
  return clicks;
}

describe('the generated click stream', () => {
  it('is the same for the same seed, from any offset, and different for another seed', async () => {
    const whole = await collect(clickStream(options));
    expect(whole).toHaveLength(3_000);
    expect(await collect(clickStream(options, 1_234))).toEqual(whole.slice(1_234));
    expect(clickAt(options, 99)).toEqual(whole[99]);
    expect(clickAt({ ...options, seed: 8 }, 99)).not.toEqual(whole[99]);
  });

  it('stays within its users and pages, and out of order by less than three seconds', async () => {
    const clicks = await collect(clickStream(options));
    expect(new Set(clicks.map((c) => c.userId)).size).toBeLessThanOrEqual(50);
    expect(clicks.every((c) => PAGES.includes(c.page))).toBe(true);
    let latest = Number.NEGATIVE_INFINITY;
    for (const click of clicks) {
      expect(latest - click.timestamp).toBeLessThan(3_000);
      latest = Math.max(latest, click.timestamp);
    }
  });
});
