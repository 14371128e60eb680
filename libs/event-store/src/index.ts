export * from './append-events';
export * from './checkpoints';
export * from './events';
export * from './position';
export * from './projection-backlog';
export * from './projection-progress';
export * from './set-aside-list';
export * from './read-events';
