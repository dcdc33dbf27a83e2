import { makePacer, paced } from '../../../functions/core/pacer';

describe('pacer', () => {
  it('spaces calls 1/perSecond apart and lets a late call go at once', async () => {
    let clock = 1_000;
    const waits: number[] = [];
    const pace = makePacer({ perSecond: 4, now: () => clock, sleep: async (ms) => void waits.push(ms) });
    await Promise.all([pace(), pace(), pace()]);
    expect(waits).toEqual([250, 500]);
    clock += 10_000;
    await pace();
    expect(waits).toEqual([250, 500]);
  });

  it('paces every method of a port', async () => {
    const order: string[] = [];
    const port = paced({ read: async (id: string) => `read ${id}` }, async () => void order.push('pace'));
    expect(await port.read('a')).toBe('read a');
    expect(order).toEqual(['pace']);
  });
});
