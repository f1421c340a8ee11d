import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { TimeZone } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * Scheduled floor for a service: at least 2 tasks 9:00–18:00 Monday to Friday (no cold start
 * for the working day's first jobs), at least 1 otherwise. Only the minimum moves; target
 * tracking or queue-depth steps still scale above it.
 */
export function addBusinessHours(scaling: ecs.ScalableTaskCount, timeZone: string): void {
  const zone = TimeZone.of(timeZone);
  scaling.scaleOnSchedule('BusinessHoursStart', {
    schedule: appscaling.Schedule.cron({ weekDay: 'MON-FRI', hour: '9', minute: '0' }),
    minCapacity: 2,
    timeZone: zone,
  });
  scaling.scaleOnSchedule('BusinessHoursEnd', {
    schedule: appscaling.Schedule.cron({ weekDay: 'MON-FRI', hour: '18', minute: '0' }),
    minCapacity: 1,
    timeZone: zone,
  });
}
