import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { servedInTurns } from '../../src/api/turns.js';

const req = (id: number) => ({ id }) as unknown as IncomingMessage;
const res = () => ({ destroyed: false, destroy(this: { destroyed: boolean }) { this.destroyed = true; } }) as unknown as ServerResponse;
const burn = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
/** Resolves after `n` turns of the event loop (a check phase each). */
const turns = (n: number) => new Promise<void>((resolve) => {
  const step = (left: number) => (left ? setImmediate(() => step(left - 1)) : resolve());
  step(n);
});

describe('requests served in turns (tuning.turnBudgetMs)', () => {
  it('serves in arrival order, no more than the budget of work per turn, the rest in the next turns', async () => {
    const served: { id: number; turn: number }[] = [];
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const listener = servedInTurns((r) => {
      served.push({ id: (r as unknown as { id: number }).id, turn });
      burn(10);
    }, 25);
    for (let i = 0; i < 12; i++) listener(req(i), res());
    expect(served).toEqual([]); // nothing in the turn that received them: the poll comes first
    while (served.length < 12) await turns(1);
    ticking = false;
    expect(served.map((s) => s.id)).toEqual([...Array(12).keys()]);
    const byTurn = new Map<number, number>();
    for (const s of served) byTurn.set(s.turn, (byTurn.get(s.turn) ?? 0) + 1);
    const perTurn = [...byTurn.values()];
    // 10 ms each against 25 ms: three per turn (two if the process lost the core mid-turn), never all twelve at once.
    expect(perTurn.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(3);
  });

  it('a continuation the request queued counts against the same turn', async () => {
    const served: number[] = [];
    const listener = servedInTurns((r) => {
      served.push((r as unknown as { id: number }).id);
      void Promise.resolve().then(() => burn(30)); // the app's work after its first await
    }, 25);
    for (let i = 0; i < 3; i++) listener(req(i), res());
    await turns(1);
    expect(served).toEqual([0]);
    await turns(2);
    expect(served).toEqual([0, 1, 2]);
  });

  it('a listener that throws loses its own request, not the queue', async () => {
    const served: number[] = [];
    const failing = res();
    const listener = servedInTurns((r) => {
      const id = (r as unknown as { id: number }).id;
      if (id === 1) throw new Error('adapter bug');
      served.push(id);
    }, 25);
    listener(req(0), res());
    listener(req(1), failing);
    listener(req(2), res());
    await turns(2);
    expect(served).toEqual([0, 2]);
    expect(failing.destroyed).toBe(true);
  });

  it('while new connections come in, a turn is short, so the loop polls (and takes the next ones) sooner', async () => {
    const run = async (accepted: number) => {
      const served: number[] = [];
      const connections = { accepted };
      const listener = servedInTurns((r) => {
        served.push((r as unknown as { id: number }).id);
        burn(2);
      }, 1000, connections);
      for (let i = 0; i < 8; i++) listener(req(i), res());
      await turns(1);
      const first = served.length;
      while (served.length < 8) await turns(1);
      return { first, left: connections.accepted };
    };
    // 2 ms each against a budget of 1 s: the first turn takes all 8 (however slow the host), and 1-2 (3 ms) when a
    // connection came since the last.
    expect((await run(0)).first).toBe(8);
    const accepting = await run(5);
    expect(accepting.first).toBeLessThanOrEqual(2);
    expect(accepting.left).toBe(0); // counted from turn to turn
  });

  it("a connection's first request goes ahead of the queue, and every turn still serves a queued one after them", async () => {
    const on = (id: string, socket: object) => ({ id, socket }) as unknown as IncomingMessage;
    const served: string[][] = [[]];
    const listener = servedInTurns((r) => {
      served[served.length - 1].push((r as unknown as { id: string }).id);
      burn(10);
    }, 25);
    // Two connections already answered once: their next requests are queued ones.
    const a = {};
    const b = {};
    listener(on('a0', a), res());
    listener(on('b0', b), res());
    while (served[0].length < 2) await turns(1);
    served.push([]);
    for (let i = 1; i <= 3; i++) {
      listener(on(`a${i}`, a), res());
      listener(on(`b${i}`, b), res());
    }
    // Four new connections' first requests arrive behind them (40 ms of work against a 25 ms turn).
    for (let i = 1; i <= 4; i++) listener(on(`new${i}`, {}), res());
    await turns(1);
    // All four first, then one queued request however far past its budget the turn is, then the queue in order.
    expect(served[1]).toEqual(['new1', 'new2', 'new3', 'new4', 'a1']);
    while (served.flat().length < 12) await turns(1);
    expect(served.flat().slice(7)).toEqual(['b1', 'a2', 'b2', 'a3', 'b3']);
  });

  it('budget 0: every request is handed over at once, as Node does', () => {
    const served: number[] = [];
    const listener = servedInTurns((r) => void served.push((r as unknown as { id: number }).id), 0);
    listener(req(7), res());
    expect(served).toEqual([7]);
  });
});
