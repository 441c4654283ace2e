import MyLocationIcon from '@mui/icons-material/MyLocation';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslate } from 'react-admin';

export interface LocationInput {
    latitude: number;
    longitude: number;
    name?: string;
}

function parseCoordinate(value: string): number | null {
    const trimmed = value.trim().replace(',', '.');
    if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
    return Number.parseFloat(trimmed);
}

/** Returns the coordinates typed in, or null when they are missing or out of range. */
export function validLocation(latitude: string, longitude: string): { latitude: number; longitude: number } | null {
    const lat = parseCoordinate(latitude);
    const lng = parseCoordinate(longitude);
    if (lat === null || lng === null || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
    return { latitude: lat, longitude: lng };
}

/** Asks for a latitude, a longitude and an optional place name, or takes them from the browser. */
export function LocationDialog({
    open,
    onClose,
    onSend,
    sending = false,
}: {
    open: boolean;
    onClose: () => void;
    onSend: (location: LocationInput) => void;
    sending?: boolean;
}) {
    const translate = useTranslate();
    const [latitude, setLatitude] = useState('');
    const [longitude, setLongitude] = useState('');
    const [name, setName] = useState('');
    const [locating, setLocating] = useState(false);
    const [unavailable, setUnavailable] = useState(false);
    const [touched, setTouched] = useState(false);

    useEffect(() => {
        if (!open) {
            setLatitude('');
            setLongitude('');
            setName('');
            setLocating(false);
            setUnavailable(false);
            setTouched(false);
        }
    }, [open]);

    const geolocation = typeof navigator !== 'undefined' ? navigator.geolocation : undefined;
    const coordinates = validLocation(latitude, longitude);
    const showInvalid = touched && latitude.trim() !== '' && longitude.trim() !== '' && !coordinates;

    const useCurrent = () => {
        if (!geolocation) return;
        setLocating(true);
        setUnavailable(false);
        geolocation.getCurrentPosition(
            position => {
                setLatitude(String(position.coords.latitude));
                setLongitude(String(position.coords.longitude));
                setLocating(false);
            },
            () => {
                setLocating(false);
                setUnavailable(true);
            },
            { enableHighAccuracy: true, timeout: 15000 }
        );
    };

    const submit = () => {
        setTouched(true);
        if (!coordinates) return;
        const place = name.trim();
        onSend(place ? { ...coordinates, name: place } : coordinates);
    };

    return (
        <Dialog open={open} onClose={onClose} fullWidth maxWidth="xs">
            <DialogTitle>{translate('charla.conversations.reply.location.title')}</DialogTitle>
            <DialogContent>
                <Stack
                    component="form"
                    spacing={2}
                    sx={{ pt: 1 }}
                    onSubmit={event => {
                        event.preventDefault();
                        submit();
                    }}
                >
                    {geolocation && (
                        <Button variant="outlined" startIcon={<MyLocationIcon />} onClick={useCurrent} disabled={locating}>
                            {translate(locating ? 'charla.conversations.reply.location.locating' : 'charla.conversations.reply.location.use_current')}
                        </Button>
                    )}
                    {unavailable && <Alert severity="warning">{translate('charla.conversations.reply.location.unavailable')}</Alert>}
                    <TextField
                        label={translate('charla.conversations.reply.location.latitude')}
                        value={latitude}
                        onChange={event => setLatitude(event.target.value)}
                        onBlur={() => setTouched(true)}
                        error={showInvalid}
                        slotProps={{ htmlInput: { inputMode: 'decimal' } }}
                        size="small"
                        required
                    />
                    <TextField
                        label={translate('charla.conversations.reply.location.longitude')}
                        value={longitude}
                        onChange={event => setLongitude(event.target.value)}
                        onBlur={() => setTouched(true)}
                        error={showInvalid}
                        helperText={showInvalid ? translate('charla.conversations.reply.location.invalid') : undefined}
                        slotProps={{ htmlInput: { inputMode: 'decimal' } }}
                        size="small"
                        required
                    />
                    <TextField
                        label={translate('charla.conversations.reply.location.name')}
                        value={name}
                        onChange={event => setName(event.target.value)}
                        size="small"
                    />
                    <button type="submit" hidden />
                </Stack>
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>{translate('charla.conversations.reply.location.cancel')}</Button>
                <Button variant="contained" onClick={submit} disabled={!coordinates || sending}>
                    {translate('charla.conversations.reply.location.send')}
                </Button>
            </DialogActions>
        </Dialog>
    );
}
