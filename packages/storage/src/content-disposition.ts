/**
 * Headers for a download served straight from object storage. The file name is user-derived, so
 * the plain `filename=` part is reduced to ASCII and the exact name goes in RFC 5987 `filename*`.
 */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const typesByExtension: Record<string, string> = {
  srt: 'application/x-subrip',
  vtt: 'text/vtt; charset=utf-8',
  mp4: 'video/mp4',
  mkv: 'video/x-matroska',
  jpg: 'image/jpeg',
  json: 'application/json',
  wav: 'audio/wav',
};

/** The type a browser should see for a download; objects are stored without one. */
export function contentTypeFor(filename: string): string {
  const extension = filename.split('.').pop()?.toLowerCase() ?? '';
  return typesByExtension[extension] ?? 'application/octet-stream';
}
