/**
 * Bookings for the load: what can be ordered where (read through the API as a shop would), customers created, and a
 * generator of distinct orders of 1–3 lines at the stores in turn (a fixed-seed LCG, so two runs book the same).
 * Shared by the booking suite and bench/booking-layers.ts.
 */
export interface Line {
  itemId: string;
  quantity: number;
}
interface AssortmentPage {
  total: number;
  items: { id: string; minQuantity: number; multiplicity: number; stock: number | string; price: number | null; variants?: unknown }[];
}

export interface Bookings {
  stores: string[];
  /** Lines orderable over all stores. */
  orderable: number;
  clients: string[];
  /** A new booking body, its orderId `${prefix}${n}`. */
  order(prefix: string): string;
}

/**
 * `stockFactor`: a line is kept when the store has that many times its quantity in stock (1: enough for one order; more
 * for a run that books the same lines thousands of times and must not run out).
 */
export async function prepareBookings(o: { url: string; headers: Record<string, string>; stores: string[]; clientPrefix: string; stockFactor?: number }): Promise<Bookings> {
  const stock = new Map<string, Line[]>();
  for (const store of o.stores) {
    const lines: Line[] = [];
    for (let page = 1; ; page++) {
      const body = (await (await fetch(`${o.url}/api/v1/assortment?store=${store}&page=${page}&pageSize=100`, { headers: o.headers })).json()) as AssortmentPage;
      for (const it of body.items) {
        // Price known; an item sold in variants (issue 17) needs a variantId per line: only items sold as such.
        if (it.price == null || it.variants) continue;
        // The least valid quantity: the minimum, rounded up to the multiplicity.
        const quantity = Math.ceil(it.minQuantity / it.multiplicity - 1e-9) * it.multiplicity;
        if (typeof it.stock === 'number' && it.stock < quantity * (o.stockFactor ?? 1)) continue;
        lines.push({ itemId: it.id, quantity: Math.round(quantity * 1000) / 1000 });
      }
      if (page * 100 >= body.total) break;
    }
    if (lines.length >= 3) stock.set(store, lines);
  }
  const stores = [...stock.keys()];
  if (!stores.length) throw new Error('booking: no store has 3 orderable items');
  // Customers: 20 of them, created before the clock starts.
  const clients = Array.from({ length: 20 }, (_, i) => `${o.clientPrefix}${i + 1}`);
  for (const clientId of clients) {
    const r = await fetch(`${o.url}/api/v1/client`, { method: 'POST', headers: o.headers, body: JSON.stringify({ clientId, name: `ООО «Покупатель ${clientId}»` }) });
    if (r.status >= 300) throw new Error(`client ${clientId}: ${r.status} ${await r.text()}`);
  }
  let seq = 0;
  let rnd = 12345;
  const rand = (n: number) => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0) % n);
  return {
    stores,
    orderable: stores.reduce((s, k) => s + stock.get(k)!.length, 0),
    clients,
    order(prefix) {
      const n = ++seq;
      const store = stores[n % stores.length];
      const lines = stock.get(store)!;
      const picked = new Map<string, Line>();
      for (const count = 1 + rand(3); picked.size < count; ) {
        const l = lines[rand(lines.length)];
        picked.set(l.itemId, l);
      }
      return JSON.stringify({ orderId: `${prefix}${n}`, clientId: clients[n % clients.length], store, deliveryAddress: 'г. Москва, ул. Тверская, д. 7, кв. 12', items: [...picked.values()] });
    },
  };
}
