export { ReGateClient, ReGateError, type ClientOptions, type Conditional, type Answer } from './client.js';
export { verifyWebhook, signWebhook, WebhookVerificationError } from './webhooks.js';
export type * from './types.js';
export { API_VERSION, OPERATIONS } from './types.js';
