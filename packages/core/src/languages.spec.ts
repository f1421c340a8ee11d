import { AppError, findLanguage, getLanguage, languageFromWhisperName } from './index';

describe('languages', () => {
  it('maps ISO 639-1 to the container tag and engine codes', () => {
    const spanish = getLanguage('es');
    expect(spanish.iso6392).toBe('spa');
    expect(spanish.whisper).toBe('spanish');
    expect(spanish.nllb).toBe('spa_Latn');
    expect(languageFromWhisperName('english')?.code).toBe('en');
    expect(findLanguage(' ES ')?.code).toBe('es');
  });

  it('rejects unknown codes with a typed error listing what is known', () => {
    expect(() => getLanguage('xx')).toThrow(AppError);
    try {
      getLanguage('xx');
    } catch (error) {
      expect((error as AppError).code).toBe('UNKNOWN_LANGUAGE');
      expect((error as AppError).httpStatus).toBe(400);
      expect((error as AppError).message).toContain('es');
    }
  });
});
