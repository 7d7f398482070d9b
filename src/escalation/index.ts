export * from './policy';
export * from './load-policies';
export * from './escalation-scheduler';
export * from './escalation-worker';
export * from './escalation-listener';
