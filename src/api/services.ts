import type { CatalogService } from '../catalog/service.js';
import type { HealthService } from './health.js';
import type { OrdersService } from '../orders/service.js';
import type { BankService } from '../bank/import/service.js';

/**
 * What the routes may call. Routes are thin: parse (zod), call one service method, map the result.
 * Optional members let the API start with the features that are configured (tests build partial sets).
 */
export interface ApiServices {
  health: HealthService;
  catalog?: CatalogService;
  orders?: OrdersService;
  bank?: BankService;
  metrics?: { observeRequest(route: string, method: string, status: number, ms: number): void };
  // orders, bank: added by their features
  [feature: string]: unknown;
}
