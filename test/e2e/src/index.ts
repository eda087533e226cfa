// End-to-end harness: the PBX simulator through the gateway and Kafka into reporting, checked against the KPI oracle.
export { runGatewayDay, type CanonicalRecord, type GatewayDay } from './gateway-day';
export { deliveryPlan, runReporting, type Delivery, type ReportingRun } from './reporting-run';
export { compareWithOracle, describeMismatch, INTERVAL_MINUTES, type Comparison, type Mismatch } from './kpi-comparison';
export { expectedAgentTimeFigures, expectedCallFigures, type ExpectedFigure } from './expected-figures';
