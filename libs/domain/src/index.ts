export * from './currency-rates';
export * from './local-date';
export * from './money';
export * from './windows';
export * from './local-time';
