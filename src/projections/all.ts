import { chatProjection, type Projection } from './chatProjection.js';

/**
 * Every projection a server runs. They all write into one read-model store, so a
 * rebuild replays them together into a fresh store.
 */
export const ALL_PROJECTIONS: readonly Projection[] = [chatProjection];
