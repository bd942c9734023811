export * from './agencies.js';
export * from './api-keys.js';
export * from './documents.js';
export * from './events.js';
export * from './reminders.js';
export * from './routine.js';
export * from './tasks.js';
export * from './webhooks.js';
