/**
 * The REST/Socket.IO shapes the dashboard reads: inferred from the API's own response schemas
 * (packages/contract, the source of /openapi.json and of the API's response check), imported as
 * types only, so the bundle carries no schema code and the two cannot drift apart.
 */
import type { JobStatus, PairRoute, ProgressEvent, Stage } from '@babelfish/core';
import type { JobMediaView, JobView, LanguageView, LanguagesView, OutputView, SubtitleTrackView, UploadView } from '@babelfish/contract';

export type { JobStatus, PairRoute, ProgressEvent, Stage };

export type Job = JobView;
export type StageProgress = Job['stageProgress'];
export type JobTranslation = Job['translations'][number];
export type ImportedSubtitles = NonNullable<Job['options']['importedSubtitles']>;
export type JobMedia = JobMediaView;
export type AudioTrackInfo = JobMedia['audioTracks'][number];
export type LanguageInfo = LanguageView;
export type EngineInfo = LanguagesView['engines'][number];
export type Catalogue = LanguagesView;

export type Cue = { start: number; end: number; text: string };

export type SubtitleTrack = SubtitleTrackView;

export type Output = OutputView;

export type UploadState = Pick<UploadView, 'id' | 'offset' | 'size'>;

export type Problem = { index: number; field: 'start' | 'end' | 'text'; message: string };
