import { DateField, useLocaleState, type DateFieldProps } from 'react-admin';

/**
 * Renders react-admin's DateField in the panel's language. Without `locales`, DateField formats in
 * the browser's language, so an English screen showed "4:25 p. m." in a Spanish-speaking browser.
 */
export function LocaleDateField(props: DateFieldProps) {
    const [locale] = useLocaleState();
    return <DateField locales={locale} {...props} />;
}
