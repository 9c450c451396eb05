import type { OrderableItem } from '../catalog/service.js';
import type { FieldError } from '../api/errors.js';

export interface PricedLine {
  lineNo: number;
  itemId: string;
  quantity: number;
  priceKopecks: number;
  priceKindId: string | null;
  amountKopecks: number;
}

/** Money is integer kopecks everywhere: floating roubles drift (0.1 + 0.2), kopecks do not. */
export const toKopecks = (roubles: number) => Math.round(roubles * 100);
export const toRoubles = (kopecks: number) => kopecks / 100;

// Quantities are decimals (0.170 kg); compare multiples with a tolerance well under 1C's 3-digit quantity scale.
const EPS = 1e-6;

/**
 * Цена × Количество in kopecks, rounded half up exactly as decimal arithmetic (1C's Окр(x, 2)) does. The quantity
 * is taken at 1C's scale (Number 15.3), in thousandths: priceKopecks × milli is an exact integer, and dividing it
 * by 1000 gives k + 0.5 exactly when the true value is on the half. Math.round(priceKopecks * quantity) rounded
 * the float error instead: 15 × 4.1 = 61.4999… → 61 where 61.5 → 62 (42 of 15,000 grid points a kopeck off).
 */
export const lineAmountKopecks = (priceKopecks: number, quantity: number) => Math.round((priceKopecks * Math.round(quantity * 1000)) / 1000);

/**
 * Checks each line against the mirror (carried at that store, minimal quantity, multiplicity, stock unless sold to
 * order) and prices it. The tier price applies when the quantity is MORE than the threshold ("если объем более X1
 * единиц" in the specification): above X2 the second tier, above X1 the first, else retail; a missing tier price
 * falls back to the next cheaper-to-qualify one.
 */
export function priceLines(
  lines: { itemId: string; quantity: number }[],
  items: Map<string, OrderableItem>,
): { lines: PricedLine[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const out: PricedLine[] = [];
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    const field = `items.${i}`;
    const item = items.get(line.itemId);
    if (!item) return void errors.push({ field: `${field}.itemId`, message: `товар не найден: ${line.itemId}` });
    if (seen.has(line.itemId)) errors.push({ field: `${field}.itemId`, message: 'товар указан в заказе дважды' });
    seen.add(line.itemId);
    if (!item.carried) return void errors.push({ field: `${field}.itemId`, message: `товар «${item.name}» не продаётся на этом складе` });
    const q = line.quantity;
    if (q + EPS < item.minQuantity) errors.push({ field: `${field}.quantity`, message: `меньше минимального объёма ${item.minQuantity}` });
    const steps = q / item.multiplicity;
    if (Math.abs(steps - Math.round(steps)) > EPS) errors.push({ field: `${field}.quantity`, message: `не кратно ${item.multiplicity}` });
    if (!item.soldToOrder && q > item.stock + EPS) errors.push({ field: `${field}.quantity`, message: `на складе только ${item.stock}` });
    const { retail, tier1, tier2 } = item.prices;
    let price = retail;
    let kind = item.priceKindIds.retail;
    if (q > item.tier1Threshold + EPS && tier1 != null) [price, kind] = [tier1, item.priceKindIds.tier1];
    if (q > item.tier2Threshold + EPS && tier2 != null) [price, kind] = [tier2, item.priceKindIds.tier2];
    if (price == null) return void errors.push({ field: `${field}.itemId`, message: `у товара «${item.name}» нет цены` });
    const priceKopecks = toKopecks(price);
    out.push({ lineNo: i + 1, itemId: line.itemId, quantity: q, priceKopecks, priceKindId: kind, amountKopecks: lineAmountKopecks(priceKopecks, q) });
  });
  return { lines: out, errors };
}
