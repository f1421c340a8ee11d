/**
 * Per-environment settings: one typed map, so a difference between dev, staging and prod is a
 * reviewed line here rather than a flag passed at deploy time. Sizes are Fargate units
 * (1024 cpu = 1 vCPU; memory in MiB, in the combinations Fargate allows).
 */
export const environmentNames = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof environmentNames)[number];

/** Mirrors workerRoles in packages/config (a test keeps the two equal). */
export const workerRoles = ['transcribe', 'translate', 'mux'] as const;
export type WorkerRole = (typeof workerRoles)[number];

export type TaskSize = { cpu: number; memoryMiB: number; ephemeralStorageGiB: number };

export type WorkerSettings = TaskSize & {
  minCapacity: number;
  maxCapacity: number;
  /** Jobs one task runs at once (WORKER_CONCURRENCY). */
  concurrency: number;
  /** Tasks always on regular Fargate; capacity above this goes mostly to Fargate Spot. */
  onDemandBase: number;
  /** Waiting jobs at which one more task is added at once; 5× this adds three. */
  scaleOutQueueDepth: number;
};

export type EnvironmentSettings = {
  name: EnvironmentName;
  /** Region used when neither CDK_DEFAULT_REGION nor `-c region=` says otherwise. */
  region: string;
  /** One NAT gateway per AZ in prod (an AZ outage keeps egress); one shared elsewhere. */
  natGateways: number;
  logRetentionDays: number;
  api: TaskSize & { minCapacity: number; maxCapacity: number };
  workers: Record<WorkerRole, WorkerSettings>;
  redis: { nodeType: string; replicas: number };
  database: { instanceType: string; multiAz: boolean; allocatedStorageGiB: number; backupRetentionDays: number };
  /** Min 2 tasks 9:00–18:00 on weekdays, min 1 otherwise, in this time zone; absent = no schedule. */
  businessHours?: { timeZone: string };
  /** Keep data stores and buckets when the stack is deleted, and refuse to delete the database. */
  retainData: boolean;
  /** Where alarm notifications go; absent = the SNS topic only. */
  alarmEmail?: string;
};

const worker = (overrides: Partial<WorkerSettings> & TaskSize): WorkerSettings => ({
  minCapacity: 1,
  maxCapacity: 4,
  concurrency: 1,
  onDemandBase: 1,
  scaleOutQueueDepth: 2,
  ...overrides,
});

export const environments: Record<EnvironmentName, EnvironmentSettings> = {
  dev: {
    name: 'dev',
    region: 'eu-west-1',
    natGateways: 1,
    logRetentionDays: 14,
    api: { cpu: 512, memoryMiB: 1024, ephemeralStorageGiB: 30, minCapacity: 1, maxCapacity: 2 },
    workers: {
      transcribe: worker({ cpu: 2048, memoryMiB: 4096, ephemeralStorageGiB: 30, maxCapacity: 2 }),
      translate: worker({ cpu: 1024, memoryMiB: 4096, ephemeralStorageGiB: 21, maxCapacity: 2 }),
      mux: worker({ cpu: 512, memoryMiB: 1024, ephemeralStorageGiB: 30, maxCapacity: 2 }),
    },
    redis: { nodeType: 'cache.t4g.micro', replicas: 0 },
    database: { instanceType: 't4g.micro', multiAz: false, allocatedStorageGiB: 20, backupRetentionDays: 1 },
    retainData: false,
  },
  staging: {
    name: 'staging',
    region: 'eu-west-1',
    natGateways: 1,
    logRetentionDays: 30,
    api: { cpu: 1024, memoryMiB: 2048, ephemeralStorageGiB: 50, minCapacity: 1, maxCapacity: 4 },
    workers: {
      transcribe: worker({ cpu: 2048, memoryMiB: 8192, ephemeralStorageGiB: 50, maxCapacity: 4 }),
      translate: worker({ cpu: 2048, memoryMiB: 8192, ephemeralStorageGiB: 21, maxCapacity: 4 }),
      mux: worker({ cpu: 1024, memoryMiB: 2048, ephemeralStorageGiB: 50, maxCapacity: 4 }),
    },
    redis: { nodeType: 'cache.t4g.small', replicas: 1 },
    database: { instanceType: 't4g.small', multiAz: false, allocatedStorageGiB: 20, backupRetentionDays: 7 },
    retainData: true,
  },
  prod: {
    name: 'prod',
    region: 'eu-west-1',
    natGateways: 2,
    logRetentionDays: 90,
    api: { cpu: 2048, memoryMiB: 4096, ephemeralStorageGiB: 50, minCapacity: 1, maxCapacity: 10 },
    workers: {
      transcribe: worker({ cpu: 4096, memoryMiB: 8192, ephemeralStorageGiB: 50, maxCapacity: 10, onDemandBase: 1 }),
      translate: worker({ cpu: 2048, memoryMiB: 8192, ephemeralStorageGiB: 21, maxCapacity: 10, scaleOutQueueDepth: 5 }),
      mux: worker({ cpu: 1024, memoryMiB: 2048, ephemeralStorageGiB: 50, maxCapacity: 6, concurrency: 2, scaleOutQueueDepth: 4 }),
    },
    redis: { nodeType: 'cache.m7g.large', replicas: 1 },
    database: { instanceType: 'm7g.large', multiAz: true, allocatedStorageGiB: 100, backupRetentionDays: 14 },
    businessHours: { timeZone: 'UTC' },
    retainData: true,
  },
};
