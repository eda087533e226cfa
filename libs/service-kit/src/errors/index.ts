export * from './status-details.codec';
export * from './grpc-status.mapper';
export * from './grpc-exception.filter';
