// The routing engine as a library (benchmarks, soak tests). The service itself starts from main.ts.
export { RoutingEngine } from './matching/domain/routing-engine';
export { NaiveMatcher } from './matching/domain/naive-matcher';
export { IndexedMatcher } from './matching/domain/indexed-matcher';
export type { RoutingInput } from './matching/domain/routing-inputs';
export type { RoutingDecision } from './matching/domain/routing-decision.events';
export { answerOffers, nextTraffic, populationInputs, seededRandom, type LoadShape } from './matching/simulation/call-center-load';
