import { variantKey, type OrderableItem } from '../catalog/service.js';
import type { DomainField as FieldError } from './errors.js';

export interface PricedLine {
  lineNo: number;
  itemId: string;
  /** Issue 17: the variant (characteristic) the line sells; absent for an item sold as such. */
  variantId?: string | null;
  /** Units of the item (a line by a packaging: packs × ratio). */
  quantity: number;
  /** Issue 17: the packaging the line was sold by (the shop's quantity in packs); absent for a line by the unit. */
  packaging?: LinePackaging;
  /** Price per unit of the item. */
  priceKopecks: number;
  priceKindId: string | null;
  amountKopecks: number;
}

/** A line sold by a packaging of the item (a box of 12): its id, units per packaging, how many packagings. */
export interface LinePackaging {
  id: string;
  ratio: number;
  packs: number;
}

// The money rules live in src/money.ts: the УТ profile writes the 1C line's Цена by the same rule.
export { packPriceKopecks, toKopecks, toRoubles } from '../money.js';
import { packPriceKopecks, toKopecks, toRoubles } from '../money.js';

// Quantities are decimals (0.170 kg); compare multiples with a tolerance well under 1C's 3-digit quantity scale.
const EPS = 1e-6;

/** 1C keeps quantities as Number(15, 3): what is sent is what 1C will store, and what the amount is computed on. */
const QUANTITY_DIGITS = 3;

/**
 * No order line or order may exceed 100 million roubles (issue 13.4: an item sold to order, with no stock to bound
 * it, took a quantity of 1e9 and made a 2.7-trillion order that 1C posted and nobody could pay). Far above any
 * real order of a shop, far below 1C's Number(15, 2).
 */
export const MAX_ORDER_KOPECKS = 100_000_000 * 100;

// At module level, not inside roundQuantity: run through tsx (bin/regate.mjs), esbuild names every function made in
// a call (`__name`, a defineProperty each time) — 0.4 % of the API thread in the booking burst's profile.
const digits = (x: number) => Math.round(x * 10 ** QUANTITY_DIGITS) / 10 ** QUANTITY_DIGITS;

/**
 * The quantity at the unit's precision: snapped to the item's multiplicity grid when within EPS of it (2.0000004
 * pieces is 2), then to 1C's 3 digits. Returns null when it is not on the grid (the caller reports it).
 */
export function roundQuantity(q: number, multiplicity: number): number | null {
  if (!(multiplicity > 0)) return digits(q);
  const steps = q / multiplicity;
  if (Math.abs(steps - Math.round(steps)) > EPS) return null;
  return digits(Math.round(steps) * multiplicity);
}

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
  lines: { itemId: string; variantId?: string; quantity: number; packaging?: LinePackaging }[],
  items: Map<string, OrderableItem>,
): { lines: PricedLine[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const out: PricedLine[] = [];
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    const field = `items.${i}`;
    // Issue 17: a line is the item, or the item in one variant (two sizes are two lines); see orderableVariants.
    const key = variantKey(line.itemId, line.variantId);
    const item = items.get(key);
    if (!item) return void errors.push({ field: items.has(line.itemId) ? `${field}.variantId` : `${field}.itemId`, message: items.has(line.itemId) ? `вариант не найден: ${line.variantId}` : `товар не найден: ${line.itemId}` });
    if (seen.has(key)) errors.push({ field: `${field}.itemId`, message: line.variantId ? 'вариант товара указан в заказе дважды' : 'товар указан в заказе дважды' });
    seen.add(key);
    if (!item.carried) return void errors.push({ field: `${field}.itemId`, message: `товар «${item.name}» не продаётся на этом складе` });
    const rounded = roundQuantity(line.quantity, item.multiplicity);
    if (rounded === null) errors.push({ field: `${field}.quantity`, message: `не кратно ${item.multiplicity}` });
    const q = rounded ?? line.quantity;
    if (rounded !== null && rounded <= 0) return void errors.push({ field: `${field}.quantity`, message: `меньше ${10 ** -QUANTITY_DIGITS}: в 1С количество хранится с точностью до ${QUANTITY_DIGITS} знаков` });
    if (q + EPS < item.minQuantity) errors.push({ field: `${field}.quantity`, message: `меньше минимального объёма ${item.minQuantity}` });
    if (!item.soldToOrder && q > item.stock + EPS) errors.push({ field: `${field}.quantity`, message: `на складе только ${item.stock}` });
    const { retail, tier1, tier2 } = item.prices;
    let price = retail;
    let kind = item.priceKindIds.retail;
    if (q > item.tier1Threshold + EPS && tier1 != null) [price, kind] = [tier1, item.priceKindIds.tier1];
    if (q > item.tier2Threshold + EPS && tier2 != null) [price, kind] = [tier2, item.priceKindIds.tier2];
    if (price == null) return void errors.push({ field: `${field}.itemId`, message: `у товара «${item.name}» нет цены` });
    const priceKopecks = toKopecks(price);
    // A price of 0 or less in the mirror is a mistake in 1C, not a gift: such an order could never be paid.
    if (priceKopecks <= 0) return void errors.push({ field: `${field}.itemId`, message: `у товара «${item.name}» цена ${price} (не больше нуля): продажа невозможна` });
    // By a packaging (issue 17): the tiers are chosen on units above, the amount is УТ's Цена за упаковку × packs.
    const amountKopecks = line.packaging ? lineAmountKopecks(packPriceKopecks(priceKopecks, line.packaging.ratio), line.packaging.packs) : lineAmountKopecks(priceKopecks, q);
    if (amountKopecks > MAX_ORDER_KOPECKS) {
      return void errors.push({ field: `${field}.quantity`, message: `строка на ${toRoubles(amountKopecks)} руб. больше предела ${toRoubles(MAX_ORDER_KOPECKS)} руб. на заказ` });
    }
    out.push({ lineNo: i + 1, itemId: line.itemId, ...(line.variantId ? { variantId: line.variantId } : {}), ...(line.packaging ? { packaging: line.packaging } : {}), quantity: q, priceKopecks, priceKindId: kind, amountKopecks });
  });
  const total = out.reduce((sum, l) => sum + l.amountKopecks, 0);
  if (total > MAX_ORDER_KOPECKS) errors.push({ field: 'items', message: `сумма заказа ${toRoubles(total)} руб. больше предела ${toRoubles(MAX_ORDER_KOPECKS)} руб.` });
  return { lines: out, errors };
}
