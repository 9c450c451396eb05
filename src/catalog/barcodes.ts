/**
 * Barcode types for the shop (issue 17). УТ keeps a barcode as a string (ШтрихкодыНоменклатуры.Штрихкод, String(200)
 * in both dumps; 11.4's register has no type, 11.5's neither), so the type is told by length and the GS1 check digit,
 * as МойСклад's ean13/ean8/gtin/code128 are: digits of a GS1 length whose last digit checks are that GS1 code; any
 * other printable ASCII is what Code 128 encodes; anything else (Cyrillic, a DataMatrix code with GS separators) other.
 */
export type BarcodeType = 'EAN-13' | 'EAN-8' | 'UPC-A' | 'GTIN-14' | 'Code128' | 'other';

export const BARCODE_TYPES: BarcodeType[] = ['EAN-13', 'EAN-8', 'UPC-A', 'GTIN-14', 'Code128', 'other'];

/** GS1 check digit (mod 10, weights 3 and 1 from the right, the check digit excluded) is right. */
export function gs1CheckOk(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 2, w = 3; i >= 0; i--, w = 4 - w) sum += (digits.charCodeAt(i) - 48) * w;
  return (10 - (sum % 10)) % 10 === digits.charCodeAt(digits.length - 1) - 48;
}

export function barcodeType(code: string): BarcodeType {
  if (/^[0-9]+$/.test(code) && gs1CheckOk(code)) {
    if (code.length === 13) return 'EAN-13';
    if (code.length === 8) return 'EAN-8';
    if (code.length === 12) return 'UPC-A';
    if (code.length === 14) return 'GTIN-14';
  }
  return /^[\x20-\x7e]+$/.test(code) && code.length <= 80 ? 'Code128' : 'other';
}

export const typed = (codes: string[]) => codes.map((barcode) => ({ barcode, type: barcodeType(barcode) }));
