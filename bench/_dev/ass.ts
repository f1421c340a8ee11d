import { writeFileSync } from 'node:fs';
import { toAss, burnSubtitles } from '@babelfish/media';
writeFileSync('/tmp/bf-dev/t.ass', toAss([{ start: 0, end: 3, text: 'Sé que puedo escalar el Everest {sin} \\N oxígeno\nПривет мир — 你好世界 — مرحبا بالعالم' }], { width: 320, height: 240, language: 'es' }));
await burnSubtitles({ video: '/work/shared/samples/jfk.mp4', assPath: '/tmp/bf-dev/t.ass', output: '/tmp/bf-dev/b2.mp4' });
