import { formatEditorTime } from '@babelfish/core';
import type { LanguageInfo } from './types';

/** Display helpers; pure so views stay about layout. */

let languageNames = new Map<string, string>();

/** Remembers the server's language names so codes render as "Spanish (es)". */
export function setLanguageNames(languages: LanguageInfo[]): void {
  languageNames = new Map(languages.map((language) => [language.code, language.name]));
}

export function languageName(code: string | null | undefined): string {
  if (!code) return 'Auto-detect';
  return languageNames.get(code) ?? code;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** 83.4 → "1:23"; media lengths read better without the editor's milliseconds. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Cue timestamps in segment lists: the editor's format, trimmed of leading zero hours. */
export function formatCueTime(seconds: number): string {
  const full = formatEditorTime(seconds);
  return full.startsWith('00:') ? full.slice(3) : full;
}

export function clampPercent(value: number | null | undefined): number {
  if (value === null || value === undefined || !Number.isFinite(value)) return 0;
  return Math.max(0, Math.min(100, Math.round(value)));
}
