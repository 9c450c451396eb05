import type { App } from '../app.js';
import type { ApiServices } from '../services.js';
import type { Config } from '../../config/index.js';
import { registerHealthRoutes } from './health.js';
import { registerCatalogRoutes } from './catalog.js';
import { registerOrderRoutes } from './orders.js';
import { registerBookingChangeRoutes } from './booking-changes.js';
import { registerBankRoutes } from './bank.js';
import { registerEventRoutes } from './events.js';
import type { EventFeed } from '../../webhooks/feed.js';
import type { PictureLinks } from '../middleware/picture-links.js';

/** Each feature registers its routes when its service is present. */
export function registerRoutes(app: App, services: ApiServices, config: Config) {
  registerHealthRoutes(app, services);
  if (services.orders) {
    registerOrderRoutes(app, services.orders);
    registerBookingChangeRoutes(app, services.orders);
  }
  if (services.bank) registerBankRoutes(app, services.bank);
  if (services.events) registerEventRoutes(app, services.events as EventFeed, config.webhooks.eventsRetentionDays);
  if (services.catalog) {
    const orders = services.orders;
    registerCatalogRoutes(app, services.catalog, {
      publicUrl: config.server.publicUrl,
      trustProxy: config.server.trustProxy,
      responseCacheMB: config.catalog.responseCacheMB,
      // The assortment's stock is what a booking can still take (issue 14.1): the mirror's less our orders it lacks.
      holds: orders ? (store) => orders.holds(store) : undefined,
      // changedSince returns what sold out too (issue 14.7): 1C drops zero balances, the mirror remembers departures.
      departed: orders ? (q) => orders.departed(q) : undefined,
      pictureLinks: services.pictureLinks as PictureLinks | undefined,
    });
  }
}
