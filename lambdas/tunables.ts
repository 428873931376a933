// The run-time tunables and their bounds: shared by the CDK app (context defaults, SSM
// parameters) and the tasks (values read back from SSM), so it imports no AWS SDK.

export interface Tunables {
  retryMaxAttempts: number;
  pollIntervalSeconds: number;
  pollIterationCap: number;
  restartLimit: number;
  relocationLimit: number;
  lagThresholdSeconds: number;
  volumeConcurrency: number;
  leaseSeconds: number;
}

export const TUNABLE_LIMITS: Record<keyof Tunables, { min: number; max: number }> = {
  retryMaxAttempts: { min: 0, max: 99 },
  pollIntervalSeconds: { min: 0, max: 3600 },
  pollIterationCap: { min: 1, max: 2000 },
  restartLimit: { min: 0, max: 20 },
  relocationLimit: { min: 0, max: 20 },
  lagThresholdSeconds: { min: 1, max: 86400 },
  volumeConcurrency: { min: 1, max: 64 },
  leaseSeconds: { min: 1, max: 86400 },
};
