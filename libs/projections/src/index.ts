export * from './apply-batch';
export * from './checkpoints';
export * from './projection';
export * from './projection-runner';
export * from './projector.module';
export * from './projector.service';
export * from './rates';
export * from './read-models';
