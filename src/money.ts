/**
 * Money rules shared by the order's pricing (src/orders/pricing.ts) and the profiles that write the 1C line
 * (src/onec/profiles): both must arrive at the same kopeck, or 1C's Сумма ≠ Цена × КоличествоУпаковок.
 * No imports: src/onec must not depend on src/orders.
 */

/** Money is integer kopecks everywhere: floating roubles drift (0.1 + 0.2), kopecks do not. */
export const toKopecks = (roubles: number) => Math.round(roubles * 100);
export const toRoubles = (kopecks: number) => kopecks / 100;

/**
 * The price of one packaging, kopecks: УТ prices a line by a packaging as the unit price × the packaging's ratio
 * rounded to kopecks (ЦеныПредприятияЗаполнениеСервер.ПолучитьЦенуПоОтбору 412-552: Цена × коэффициент упаковки строки
 * / коэффициент упаковки цены, Окр(, 2); the form's ПересчитатьЦенуЗаУпаковку the same, ОбработкаТабличнойЧастиКлиентСервер
 * 1293-1304; work1cblackbird/ut11 @cdf1be4f), and the line's Сумма = Цена × КоличествоУпаковок (1422-1435). Half up
 * on the decimal value: toFixed(6) first so that a float product just under the half (15 × 4.1) does not round down.
 */
export const packPriceKopecks = (priceKopecks: number, ratio: number) => Math.round(Number((priceKopecks * ratio).toFixed(6)));
