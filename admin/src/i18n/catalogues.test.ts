import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import englishMessages from 'ra-language-english';
import { describe, expect, it } from 'vitest';
import { KNOWN_ERROR_CODES } from '../providers/apiError';
import { SESSION_STATUSES } from '../types';
import en from './en';
import es from './es';
import raSpanishMessages from './ra-es';

function flatKeys(value: unknown, prefix = ''): string[] {
    if (typeof value === 'string') return [prefix];
    if (!value || typeof value !== 'object') return [`${prefix}<${typeof value}>`];
    return Object.entries(value).flatMap(([key, child]) => flatKeys(child, prefix ? `${prefix}.${key}` : key));
}

function lookup(catalogue: unknown, key: string): unknown {
    return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), catalogue);
}

function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap(name => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return sourceFiles(path);
        return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
    });
}

describe('translation catalogues', () => {
    it('ra-es translates exactly the keys of ra-language-english', () => {
        expect(flatKeys(raSpanishMessages).sort()).toEqual(flatKeys(englishMessages).sort());
    });

    it('the Spanish and English catalogues have the same keys', () => {
        expect(flatKeys(es).sort()).toEqual(flatKeys(en).sort());
    });

    it('no Spanish value is empty', () => {
        const empty = flatKeys(es).filter(key => String(lookup(es, key)).trim() === '' && key !== 'ra.boolean.null');
        expect(empty).toEqual([]);
    });

    it('keeps the same placeholders in both languages', () => {
        const placeholders = (text: unknown) => [...String(text).matchAll(/%\{(\w+)\}/g)].map(match => match[1]).sort();
        const mismatched = flatKeys(en).filter(
            key => JSON.stringify(placeholders(lookup(en, key))) !== JSON.stringify(placeholders(lookup(es, key)))
        );
        expect(mismatched).toEqual([]);
    });

    it('has a label and an explanation for every session status', () => {
        for (const status of SESSION_STATUSES) {
            expect(lookup(es, `charla.status.${status}`)).toBeTypeOf('string');
            expect(lookup(es, `charla.sessions.state.${status}.title`)).toBeTypeOf('string');
            expect(lookup(es, `charla.sessions.state.${status}.body`)).toBeTypeOf('string');
        }
    });

    it('has a sentence for every known API error code', () => {
        for (const code of KNOWN_ERROR_CODES) {
            expect(lookup(es, `charla.errors.${code}`), code).toBeTypeOf('string');
        }
    });

    it('defines every literal charla.* and resources.* key the source code uses', () => {
        const root = join(__dirname, '..');
        const used = new Set<string>();
        for (const file of sourceFiles(root)) {
            const text = readFileSync(file, 'utf8');
            for (const match of text.matchAll(/['"`]((?:charla|resources)\.[A-Za-z0-9_.]+)['"`]/g)) {
                if (!match[1].endsWith('.')) used.add(match[1]);
            }
        }
        // Storage keys, not catalogue keys.
        used.delete('charla.auth.token');
        used.delete('charla.auth.user');
        used.delete('charla.auth.refresh_token');
        used.delete('charla.auth.refresh');
        const missing = [...used].filter(key => typeof lookup(en, key) !== 'string');
        expect(missing).toEqual([]);
        expect(used.size).toBeGreaterThan(50);
    });
});
