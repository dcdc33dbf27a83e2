import { makePacer, paced } from '../../../functions/core/pacer';

describe('pacer', () => {
  it('spaces calls 1/perSecond apart and lets a late call go at once', async () => {
    // Prepare
    let clock = 1_000;
    const waits: number[] = [];
    const pace = makePacer({ perSecond: 4, now: () => clock, sleep: async (ms) => void waits.push(ms) });

    // Act
    await Promise.all([pace(), pace(), pace()]);
    clock += 10_000;
    await pace();

    // Assess
    expect(waits).toEqual([250, 500]);
  });

  it('spaces calls made one after the other by the time already spent between them', async () => {
    // Prepare
    let clock = 0;
    const waits: number[] = [];
    const pace = makePacer({ perSecond: 10, now: () => clock, sleep: async (ms) => void waits.push(ms) });

    // Act
    await pace();
    clock += 30;
    await pace();

    // Assess
    expect(waits).toEqual([70]);
  });

  it('paces every method of a port', async () => {
    // Prepare
    const order: string[] = [];
    const port = paced({ read: async (id: string) => `read ${id}` }, async () => void order.push('pace'));

    // Act
    const answer = await port.read('a');

    // Assess
    expect(answer).toBe('read a');
    expect(order).toEqual(['pace']);
  });
});
