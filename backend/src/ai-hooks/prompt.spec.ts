import { isOpenAt } from '../settings/opening-hours';
import type { ProductView } from '../products/products.service';
import { alternatingTurns } from './llm/llm-provider';
import { containsPhrase, parseAmount, unknownAmounts } from './prompt';

const catalog = [{ price: 85000 }, { price: 12.5 }] as ProductView[];

describe('containsPhrase', () => {
  it('matches whole words ignoring case and accents', () => {
    expect(containsPhrase('Quiero HABLAR con un asesor!', 'hablar con un asesor')).toBe(true);
    expect(containsPhrase('¿tienen catalogo?', 'catálogo')).toBe(true);
    expect(containsPhrase('preciosa', 'precios')).toBe(false);
  });
});

describe('parseAmount', () => {
  it.each([
    ['85.000', 85000],
    ['85,000', 85000],
    ['1.234.567', 1234567],
    ['12.50', 12.5],
    ['12,50', 12.5],
    ['1.234,56', 1234.56],
    ['1,234.56', 1234.56],
  ])('reads %s', (text, value) => {
    expect(parseAmount(text)).toBe(value);
  });
});

describe('unknownAmounts', () => {
  it('accepts catalog prices and small multiples', () => {
    expect(unknownAmounts('La torta vale $85.000 y dos cuestan $170.000.', catalog)).toEqual([]);
    expect(unknownAmounts('Cuesta USD 12.50', catalog)).toEqual([]);
  });

  it('reports a price that is not in the catalog', () => {
    expect(unknownAmounts('El pastel cuesta $41.900 COP.', catalog)).toEqual(['$41.900']);
    expect(unknownAmounts('Son 30000 pesos', catalog)).toEqual(['30000 pesos']);
  });
});

describe('isOpenAt', () => {
  // 2026-12-07 is a Monday; 15:00 UTC is 10:00 in Bogotá (UTC-5).
  const mondayMorning = new Date('2026-12-07T15:00:00Z');

  it('is open inside a range and closed outside it', () => {
    expect(isOpenAt({ monday: [{ open: '08:00', close: '12:00' }] }, 'America/Bogota', mondayMorning)).toBe(true);
    expect(isOpenAt({ monday: [{ open: '11:00', close: '12:00' }] }, 'America/Bogota', mondayMorning)).toBe(false);
    expect(isOpenAt({ tuesday: [{ open: '00:00', close: '23:59' }] }, 'America/Bogota', mondayMorning)).toBe(false);
  });

  it('is always open when no hours are set', () => {
    expect(isOpenAt({}, 'America/Bogota', mondayMorning)).toBe(true);
  });
});

describe('alternatingTurns', () => {
  it('merges neighbours of one role and starts with the user', () => {
    expect(
      alternatingTurns([
        { role: 'assistant', content: 'Hola' },
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'c' },
      ]),
    ).toEqual([
      { role: 'user', content: 'a\nb' },
      { role: 'assistant', content: 'c' },
    ]);
  });
});
