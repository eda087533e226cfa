// Reporting as a library (end-to-end tests, benchmarks): importing this starts nothing. The service itself starts from main.ts.
export { startProjections, type ProjectionHost, type ProjectionHostOptions } from './projections/projection-host';
export { ReportReader, type BucketRow, type Range, type ReportSettings } from './reports/application/report-reader';
export { DEFAULT_KPI_PARAMETERS, type KpiParameters } from './kpis/domain/kpi';
export { ALL_KPIS, type KpiFigure } from './kpis/domain/kpi-catalog';
