import {
  AppError,
  canonicalLanguageCode,
  findLanguage,
  getLanguage,
  isLanguageCode,
  languageFromWhisperName,
  languageFromWhisperToken,
  scriptDirection,
  searchLanguages,
  supportedLanguages,
} from './index';

/** NLLB-200's language codes as its tokenizer lists them (FAIRSEQ_LANGUAGE_CODES, 202). */
const NLLB_200 = `
ace_Arab ace_Latn acm_Arab acq_Arab aeb_Arab afr_Latn ajp_Arab aka_Latn amh_Ethi apc_Arab arb_Arab ars_Arab ary_Arab
arz_Arab asm_Beng ast_Latn awa_Deva ayr_Latn azb_Arab azj_Latn bak_Cyrl bam_Latn ban_Latn bel_Cyrl bem_Latn ben_Beng
bho_Deva bjn_Arab bjn_Latn bod_Tibt bos_Latn bug_Latn bul_Cyrl cat_Latn ceb_Latn ces_Latn cjk_Latn ckb_Arab crh_Latn
cym_Latn dan_Latn deu_Latn dik_Latn dyu_Latn dzo_Tibt ell_Grek eng_Latn epo_Latn est_Latn eus_Latn ewe_Latn fao_Latn
pes_Arab fij_Latn fin_Latn fon_Latn fra_Latn fur_Latn fuv_Latn gla_Latn gle_Latn glg_Latn grn_Latn guj_Gujr hat_Latn
hau_Latn heb_Hebr hin_Deva hne_Deva hrv_Latn hun_Latn hye_Armn ibo_Latn ilo_Latn ind_Latn isl_Latn ita_Latn jav_Latn
jpn_Jpan kab_Latn kac_Latn kam_Latn kan_Knda kas_Arab kas_Deva kat_Geor knc_Arab knc_Latn kaz_Cyrl kbp_Latn kea_Latn
khm_Khmr kik_Latn kin_Latn kir_Cyrl kmb_Latn kon_Latn kor_Hang kmr_Latn lao_Laoo lvs_Latn lij_Latn lim_Latn lin_Latn
lit_Latn lmo_Latn ltg_Latn ltz_Latn lua_Latn lug_Latn luo_Latn lus_Latn mag_Deva mai_Deva mal_Mlym mar_Deva min_Latn
mkd_Cyrl plt_Latn mlt_Latn mni_Beng khk_Cyrl mos_Latn mri_Latn zsm_Latn mya_Mymr nld_Latn nno_Latn nob_Latn npi_Deva
nso_Latn nus_Latn nya_Latn oci_Latn gaz_Latn ory_Orya pag_Latn pan_Guru pap_Latn pol_Latn por_Latn prs_Arab pbt_Arab
quy_Latn ron_Latn run_Latn rus_Cyrl sag_Latn san_Deva sat_Beng scn_Latn shn_Mymr sin_Sinh slk_Latn slv_Latn smo_Latn
sna_Latn snd_Arab som_Latn sot_Latn spa_Latn als_Latn srd_Latn srp_Cyrl ssw_Latn sun_Latn swe_Latn swh_Latn szl_Latn
tam_Taml tat_Cyrl tel_Telu tgk_Cyrl tgl_Latn tha_Thai tir_Ethi taq_Latn taq_Tfng tpi_Latn tsn_Latn tso_Latn tuk_Latn
tum_Latn tur_Latn twi_Latn tzm_Tfng uig_Arab ukr_Cyrl umb_Latn urd_Arab uzn_Latn vec_Latn vie_Latn war_Latn wol_Latn
xho_Latn ydd_Hebr yor_Latn yue_Hant zho_Hans zho_Hant zul_Latn`.trim().split(/\s+/);

/** Whisper's LANGUAGES (openai/whisper tokenizer.py): 99 in whisper-base, Cantonese added in large-v3. */
const WHISPER = `en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg lt la
mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so af oc ka be tg sd gu am yi lo
uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su yue`.trim().split(/\s+/);

/** The languages whose ISO 639-2 bibliographic code is not the terminology one. */
const B_DIFFERS_FROM_T: Record<string, [string, string]> = {
  sq: ['alb', 'sqi'], hy: ['arm', 'hye'], eu: ['baq', 'eus'], my: ['bur', 'mya'], 'zh-Hans': ['chi', 'zho'], 'zh-Hant': ['chi', 'zho'],
  cs: ['cze', 'ces'], nl: ['dut', 'nld'], fr: ['fre', 'fra'], ka: ['geo', 'kat'], de: ['ger', 'deu'], el: ['gre', 'ell'],
  is: ['ice', 'isl'], mk: ['mac', 'mkd'], mi: ['mao', 'mri'], ms: ['may', 'msa'], fa: ['per', 'fas'], ro: ['rum', 'ron'],
  sk: ['slo', 'slk'], bo: ['tib', 'bod'], cy: ['wel', 'cym'],
};

describe('the language table', () => {
  it('has every NLLB-200 code exactly once', () => {
    expect(NLLB_200).toHaveLength(202);
    const codes = supportedLanguages.flatMap((language) => (language.nllb ? [language.nllb] : []));
    expect([...codes].sort()).toEqual([...NLLB_200].sort());
    for (const code of NLLB_200) expect(findLanguage(code)?.nllb).toBe(code);
  });

  it('has every Whisper language, by token and by name', () => {
    expect(WHISPER).toHaveLength(100);
    const tokens = supportedLanguages.flatMap((language) => (language.whisperToken ? [language.whisperToken] : []));
    expect([...tokens].sort()).toEqual([...WHISPER].sort());
    for (const language of supportedLanguages.filter((l) => l.whisper)) expect(languageFromWhisperName(language.whisper!)).toBe(language);
    expect(languageFromWhisperToken('jw')?.code).toBe('jv');
    expect(languageFromWhisperToken('zh')?.code).toBe('zh-Hans');
    expect(languageFromWhisperToken('no')?.code).toBe('nb');
    expect(languageFromWhisperName('Castilian')?.code).toBe('es');
    expect(languageFromWhisperName('mandarin')?.code).toBe('zh-Hans');
  });

  it('has one row per public code, each a well-formed BCP-47 tag built from ISO 639', () => {
    const codes = supportedLanguages.map((language) => language.code);
    expect(new Set(codes).size).toBe(codes.length);
    console.log(`language table: ${codes.length} languages, ${supportedLanguages.filter((l) => l.whisper).length} with Whisper, ${supportedLanguages.filter((l) => l.nllb).length} with NLLB`);
    for (const language of supportedLanguages) {
      expect(language.code).toBe(language.bcp47);
      expect(language.code).toMatch(/^[a-z]{2,3}(-[A-Z][a-z]{3})?$/);
      const [primary, script] = language.code.split('-');
      expect(primary).toBe(language.iso6391 ?? language.iso6393);
      if (script) expect(script).toBe(language.script);
      expect(language.iso6393).toMatch(/^[a-z]{3}$/);
      expect(language.iso6392).toMatch(/^[a-z]{3}$/);
      expect(language.iso6392T).toMatch(/^[a-z]{3}$/);
      expect(language.script).toMatch(/^[A-Z][a-z]{3}$/);
      if (language.nllb) expect(language.nllb.split('_')[1]).toBe(language.script === 'Olck' ? 'Beng' : language.script);
    }
  });

  it('adds a script subtag exactly where one language has rows in two scripts', () => {
    const withScript = supportedLanguages.filter((language) => language.code.includes('-')).map((language) => language.code);
    expect(withScript.sort()).toEqual(['ace-Arab', 'ace-Latn', 'bjn-Arab', 'bjn-Latn', 'knc-Arab', 'knc-Latn', 'ks-Arab', 'ks-Deva', 'taq-Latn', 'taq-Tfng', 'zh-Hans', 'zh-Hant']);
  });

  it('gives ISO 639-2/B and /T different codes for exactly the known languages', () => {
    const differing = supportedLanguages.filter((language) => language.iso6392 !== language.iso6392T);
    // Languages outside ISO 639-2 carry their macrolanguage's codes: Cantonese and Dari and Banjar too.
    const own = differing.filter((language) => !['yue', 'prs', 'bjn-Arab', 'bjn-Latn'].includes(language.code));
    expect(Object.fromEntries(own.map((language) => [language.code, [language.iso6392, language.iso6392T]]))).toEqual(B_DIFFERS_FROM_T);
    expect(getLanguage('yue')).toMatchObject({ iso6392: 'chi', iso6392T: 'zho', iso6393: 'yue' });
    expect(getLanguage('arz')).toMatchObject({ name: 'Egyptian Arabic', iso6392: 'ara', iso6392T: 'ara' });
    expect(getLanguage('kbp')).toMatchObject({ iso6392: 'kbp', iso6392T: 'kbp' }); // no 639-2 code, no macrolanguage
  });

  it('writes right to left for Arabic, Hebrew, Thaana, Syriac and N\'Ko scripts', () => {
    for (const script of ['Arab', 'Hebr', 'Thaa', 'Syrc', 'Nkoo', 'Adlm']) expect(scriptDirection(script)).toBe('rtl');
    for (const script of ['Latn', 'Cyrl', 'Hans', 'Deva', 'Ethi', 'Tfng']) expect(scriptDirection(script)).toBe('ltr');
    for (const language of supportedLanguages) expect(language.direction).toBe(['Arab', 'Hebr'].includes(language.script) ? 'rtl' : 'ltr');
    const rtl = supportedLanguages.filter((language) => language.direction === 'rtl').map((language) => language.code);
    expect(rtl).toEqual(expect.arrayContaining(['ar', 'fa', 'he', 'yi', 'ur', 'ps', 'ckb', 'ks-Arab', 'ug', 'sd', 'arz', 'prs']));
    expect(getLanguage('ks-Deva').direction).toBe('ltr');
  });
});

describe('language lookups', () => {
  it('finds a row by any code form, case-insensitively', () => {
    const german = getLanguage('de');
    for (const code of ['DE', 'ger', 'deu', 'deu_Latn', ' de ', 'de-DE', 'de_AT']) expect(findLanguage(code)).toBe(german);
    expect(german).toMatchObject({ iso6391: 'de', iso6392: 'ger', iso6392T: 'deu', iso6393: 'deu', script: 'Latn', whisper: 'german', nllb: 'deu_Latn', nativeName: 'Deutsch' });
    expect(findLanguage('arb')?.code).toBe('ar'); // NLLB's Standard Arabic is the `ar` row
    expect(findLanguage('pes_Arab')?.code).toBe('fa');
  });

  it('keeps old and regional codes working: zh is Simplified Chinese, zh-TW Traditional', () => {
    expect(findLanguage('zh')?.code).toBe('zh-Hans');
    expect(findLanguage('chi')?.code).toBe('zh-Hans');
    expect(findLanguage('zh-hans')?.nllb).toBe('zho_Hans');
    expect(findLanguage('zh-TW')?.nllb).toBe('zho_Hant');
    expect(findLanguage('zh-Hant-HK')?.code).toBe('zh-Hant');
    expect(findLanguage('zh-Hans-CN')?.code).toBe('zh-Hans');
    expect(findLanguage('ks')?.code).toBe('ks-Arab');
    expect(findLanguage('no')?.code).toBe('nb');
    expect(findLanguage('iw')?.code).toBe('he');
    expect(findLanguage('pt-BR')?.code).toBe('pt');
    expect(findLanguage('es-419')?.code).toBe('es');
    expect(canonicalLanguageCode('ZH')).toBe('zh-Hans');
    expect(isLanguageCode('zh-Hant')).toBe(true);
    expect(isLanguageCode('zh')).toBe(false);
  });

  it('refuses a script the table does not have for that language', () => {
    expect(findLanguage('sr-Latn')).toBeUndefined(); // NLLB writes Serbian in Cyrillic
    expect(findLanguage('sr-Cyrl')?.code).toBe('sr');
    expect(findLanguage('xx')).toBeUndefined();
    expect(findLanguage('')).toBeUndefined();
  });

  it('rejects unknown codes with a typed error that suggests close names', () => {
    expect(() => getLanguage('xx')).toThrow(AppError);
    try {
      getLanguage('german');
    } catch (error) {
      expect((error as AppError).code).toBe('UNKNOWN_LANGUAGE');
      expect((error as AppError).httpStatus).toBe(400);
      expect((error as AppError).message).toContain('de (German)');
    }
  });

  it('searches by code or by name, best matches first', () => {
    expect(searchLanguages('ger')[0]?.code).toBe('de');
    expect(searchLanguages('Deutsch')[0]?.code).toBe('de');
    expect(searchLanguages('kurd').map((l) => l.code)).toEqual(['ckb', 'ku']);
    expect(searchLanguages('chinese').map((l) => l.code)).toEqual(['zh-Hans', 'zh-Hant']);
    expect(searchLanguages('arabic').map((l) => l.code)).toContain('arz');
    expect(searchLanguages('')).toHaveLength(supportedLanguages.length);
    expect(searchLanguages('qqqq')).toEqual([]);
  });
});
