/**
 * What the scripted chat server answers to a summary request unless a test says otherwise.
 * Its own module: the server file starts listening when imported, so tests import this one.
 */
export const DEFAULT_SUMMARY = { summary: 'A scripted summary of the whole video.', terms: ['scripted term'] };
export const DEFAULT_SUMMARY_REPLY = JSON.stringify(DEFAULT_SUMMARY);
