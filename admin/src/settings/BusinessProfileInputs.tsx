import { Typography } from '@mui/material';
import { maxLength, TextInput, useTranslate } from 'react-admin';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

type Ranges = { open: string; close: string }[] | undefined;

/** Shows a day's ranges as `08:00-12:00, 14:00-18:00`. */
export function formatRanges(ranges: Ranges): string {
    return (ranges ?? []).map(range => `${range.open}-${range.close}`).join(', ');
}

/**
 * Reads `08:00-12:00, 14:00-18:00` back; the server rejects malformed ranges with the field named.
 * An empty day is left out, which the server reads as closed, or as no hours set when every day is empty.
 */
export function parseRanges(text: string): { open: string; close: string }[] | undefined {
    const ranges = text
        .split(',')
        .map(part => part.trim())
        .filter(Boolean)
        .map(part => {
            const [open = '', close = ''] = part.split('-').map(time => time.trim());
            return { open, close };
        });
    return ranges.length ? ranges : undefined;
}

/** Renders the business profile that automatic replies use: description, address and opening hours per weekday. */
export function BusinessProfileInputs() {
    const translate = useTranslate();
    return (
        <>
            <Typography variant="subtitle1" sx={{ mt: 2 }}>
                {translate('charla.settings.profile')}
            </Typography>
            <TextInput source="businessDescription" label="charla.settings.fields.businessDescription" multiline validate={maxLength(2000)} fullWidth />
            <TextInput source="businessAddress" label="charla.settings.fields.businessAddress" validate={maxLength(300)} fullWidth />
            <Typography variant="body2" color="text.secondary">
                {translate('charla.settings.opening_hours_help')}
            </Typography>
            {WEEKDAYS.map(day => (
                <TextInput
                    key={day}
                    source={`openingHours.${day}`}
                    label={`charla.settings.weekdays.${day}`}
                    format={formatRanges}
                    parse={parseRanges}
                    placeholder="08:00-12:00, 14:00-18:00"
                    fullWidth
                />
            ))}
        </>
    );
}
