import { h } from '../dom';
import { statusLabels } from '../job-state';
import type { Job } from '../types';

/** Status shown as text plus colour, never colour alone. */
export function statusBadge(job: Pick<Job, 'status'>): HTMLElement {
  return h('span', { class: `badge badge-${job.status}`, testid: 'status-badge', 'data-status': job.status }, statusLabels[job.status]);
}
