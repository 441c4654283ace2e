import polyglotI18nProvider from 'ra-i18n-polyglot';
import en from '../i18n/en';
import es from '../i18n/es';

export const DEFAULT_LOCALE = 'es';

export const LOCALES = [
    { locale: 'es', name: 'Español' },
    { locale: 'en', name: 'English' },
];

const catalogues: Record<string, typeof en> = { es, en };

/** Provides Spanish by default and English on request. react-admin's store keeps the choice per browser. */
export const i18nProvider = polyglotI18nProvider(locale => catalogues[locale] ?? es, DEFAULT_LOCALE, LOCALES, {
    allowMissing: false,
});
