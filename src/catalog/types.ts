/** ReGate's own catalogue terms, as the mirror stores them and the read API serves them. */

export interface MirrorStore {
  id: string;
  name: string;
  city: string;
  address: string;
  retailPriceKindId: string | null;
}

export interface MirrorGroup {
  id: string;
  parentId: string | null;
  code: string | null;
  name: string;
}

export interface MirrorItem {
  id: string;
  groupId: string | null;
  code: string | null;
  article: string;
  name: string;
  fullName: string;
  description: string;
  fullDescription: string;
  country: string | null;
  brand: string | null;
  unit: string;
  portionSize: number | null;
  portionUnit: string | null;
  minQuantity: number;
  multiplicity: number;
  soldToOrder: boolean;
  tier1Threshold: number;
  tier2Threshold: number;
  pictureIds: string[];
  /** Номенклатура.СтавкаНДС_Key (delivery puts it on the order's lines). */
  vatRateId?: string | null;
}

export interface MirrorSnapshot {
  organisation: Organisation;
  configuration: { name: string; version: string; platform: string | null };
  stores: MirrorStore[];
  groups: MirrorGroup[];
  items: MirrorItem[];
  barcodes: { itemId: string; barcode: string }[];
  priceKinds: { id: string; name: string }[];
  prices: { itemId: string; priceKindId: string; price: number }[];
  stock: { storeId: string; itemId: string; quantity: number }[];
  /** volumePath: where the bytes are on disk for a file kept in a 1C file volume; absent for files in the base. */
  pictures: { id: string; itemId: string; extension: string; volumePath?: string | null }[];
  /** Packaging id → units of the item per packaging, so the stock job can turn packaging prices into unit prices. */
  packagingRatios?: Record<string, number>;
}

export interface Organisation {
  id: string;
  name: string;
  fullName: string;
  inn: string;
  kpp: string;
  ogrn: string;
  address: string;
  bankAccount: { account: string; bank: string; bik: string; correspondentAccount: string } | null;
}

export const UNLIMITED = 'без ограничения' as const;
