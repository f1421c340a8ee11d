import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { JobRecord } from '@babelfish/db';
import { planSubtitleImport, readSubtitleUpload, type Submission } from '@babelfish/pipeline';
import { storageKeys } from '@babelfish/storage';
import type { ApiDeps } from './deps';
import { storeAndQueueJob } from './job-queueing';
import type { ReceivedFile } from './job-submission';

/**
 * A subtitle file given alone: its cues are translated and cut to each target language's rules,
 * and the job makes subtitle files only (no video, no thumbnail). The file is the job's input.
 */
export async function submitSubtitlesAlone(deps: ApiDeps, file: ReceivedFile & { ownerId: string }, submission: Submission): Promise<JobRecord> {
  const imported = await readSubtitleUpload(file.path, deps.config.subtitles);
  const plan = await planSubtitleImport(deps.engines, submission, imported, undefined, deps.config.http.maxDurationSeconds);
  const id = randomUUID();
  const key = storageKeys.importedSubtitles(id);
  const job = await storeAndQueueJob(
    deps,
    {
      id,
      ownerId: file.ownerId,
      sourceLanguage: plan.source,
      targetLanguages: submission.targets,
      engine: submission.engine,
      originalName: path.basename(file.originalName || 'subtitles').slice(0, 255),
      inputKey: key,
      mediaDuration: plan.durationSeconds,
      options: plan.options,
    },
    [{ key, receivedPath: file.path }],
  );
  deps.logger.info('subtitle job submitted', { jobId: id, targets: submission.targets, source: plan.source, subtitles: plan.options.importedSubtitles });
  return job;
}
