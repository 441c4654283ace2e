import { defaultDarkTheme, defaultLightTheme, type RaThemeOptions } from 'react-admin';

const palette = {
    primary: { main: '#128c7e' },
    secondary: { main: '#6a4fc1' },
};

export const lightTheme: RaThemeOptions = { ...defaultLightTheme, palette: { ...defaultLightTheme.palette, ...palette } };
export const darkTheme: RaThemeOptions = {
    ...defaultDarkTheme,
    palette: { ...defaultDarkTheme.palette, ...palette, primary: { main: '#25d366' } },
};
