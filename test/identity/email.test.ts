import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../host/identity/index.js';

describe('normalizeEmail: address', () => {
  it.each([
    ['plain', 'ivan@shop.bg', 'ivan@shop.bg'],
    ['upper case', 'Ivan.Petrov@Shop.BG', 'ivan.petrov@shop.bg'],
    ['surrounding spaces and tabs', ' \t ivan@shop.bg \n', 'ivan@shop.bg'],
    ['no-break space and BOM around', '\u00a0\ufeffivan@shop.bg\u00a0', 'ivan@shop.bg'],
    ['subdomain', 'a@mail.shop.co.uk', 'a@mail.shop.co.uk'],
    ['specials in local part', "o'neil+news_1=x@shop.com", "o'neil+news_1=x@shop.com"],
    ['hyphen and digits in domain', 'x@my-shop1.bg', 'x@my-shop1.bg'],
    ['unicode local part', 'Иван@поща.бг', 'иван@поща.бг'],
    ['decomposed accents become composed (NFC)', 'jose\u0301@shop.es', 'jos\u00e9@shop.es'],
    ['punycode top-level domain', 'a@shop.xn--90ae', 'a@shop.xn--90ae'],
  ])('%s', (_name, raw, address) => {
    expect(normalizeEmail(raw)?.address).toBe(address);
  });

  const longLocal = 'a'.repeat(64);
  const longLabel = 'b'.repeat(63);
  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['no @', 'ivan.shop.bg'],
    ['two @', 'a@@b.com'],
    ['@ in local and domain', 'a@b@c.com'],
    ['empty local part', '@shop.bg'],
    ['empty domain', 'ivan@'],
    ['domain without a dot', 'ivan@localhost'],
    ['space inside', 'iv an@shop.bg'],
    ['tab inside', 'ivan@sh\top.bg'],
    ['zero-width space inside', 'ivan\u200b@shop.bg'],
    ['leading dot in local', '.ivan@shop.bg'],
    ['trailing dot in local', 'ivan.@shop.bg'],
    ['double dot in local', 'iv..an@shop.bg'],
    ['quoted local part', '"iv an"@shop.bg'],
    ['trailing dot in domain', 'ivan@shop.bg.'],
    ['empty label in domain', 'ivan@shop..bg'],
    ['label starting with hyphen', 'ivan@-shop.bg'],
    ['label ending with hyphen', 'ivan@shop-.bg'],
    ['underscore in domain', 'ivan@my_shop.bg'],
    ['numeric top-level domain', 'ivan@10.0.0.1'],
    ['IP literal', 'ivan@[10.0.0.1]'],
    ['one-letter top-level domain', 'x@x.x'],
    ['comma', 'ivan,petrov@shop.bg'],
    ['angle brackets (display name)', 'Ivan <ivan@shop.bg>'],
    ['local part over 64', `${longLocal}a@shop.bg`],
    ['label over 63', `a@${longLabel}b.com`],
    ['address over 254', `${longLocal}@${longLabel}.${longLabel}.${longLabel}.${'c'.repeat(10)}.com`],
    ['very long input', `${'a'.repeat(100_000)}@shop.bg`],
  ])('rejects %s', (_name, raw) => {
    expect(normalizeEmail(raw)).toBeNull();
  });

  it('accepts the longest legal parts', () => {
    expect(normalizeEmail(`${longLocal}@${longLabel}.com`)?.address).toBe(`${longLocal}@${longLabel}.com`);
  });

  it.each([
    ['array', ['ivan@shop.bg']],
    ['number', 42],
    ['null', null],
    ['undefined', undefined],
    ['object', { email: 'ivan@shop.bg' }],
  ])('returns null for a non-string (%s)', (_name, raw) => {
    expect(normalizeEmail(raw as unknown as string)).toBeNull();
  });
});

describe('normalizeEmail: canonical', () => {
  it.each([
    ['gmail dots', 'I.van.Petrov@gmail.com', 'ivanpetrov@gmail.com'],
    ['gmail +tag', 'ivan+shop@gmail.com', 'ivan@gmail.com'],
    ['gmail dots and +tag with dots', 'i.van+a.b@gmail.com', 'ivan@gmail.com'],
    ['googlemail → gmail', 'i.van+x@googlemail.com', 'ivan@gmail.com'],
    ['outlook +tag only', 'i.van+x@outlook.com', 'i.van@outlook.com'],
    ['hotmail +tag only', 'i.van+x@hotmail.com', 'i.van@hotmail.com'],
    ['live +tag only', 'i.van+x@live.com', 'i.van@live.com'],
    ['other domain untouched', 'i.van+x@abv.bg', 'i.van+x@abv.bg'],
    ['gmail look-alike subdomain untouched', 'i.van+x@mail.gmail.com', 'i.van+x@mail.gmail.com'],
    ['gmail-like domain untouched', 'i.van+x@gmail.co', 'i.van+x@gmail.co'],
    ['nothing before the tag keeps the address', '+x@gmail.com', '+x@gmail.com'],
  ])('%s', (_name, raw, canonical) => {
    expect(normalizeEmail(raw)?.canonical).toBe(canonical);
    expect(normalizeEmail(raw, { canonicalize: true })?.canonical).toBe(canonical);
  });

  it('keeps the address as typed while the canonical form drops aliasing', () => {
    expect(normalizeEmail(' I.Van+news@GoogleMail.com ')).toEqual({
      address: 'i.van+news@googlemail.com',
      canonical: 'ivan@gmail.com',
    });
  });

  it.each(['I.van+x@gmail.com', 'a+b@outlook.com', 'x@shop.bg'])('canonical equals address when the tenant disables it (%s)', (raw) => {
    const result = normalizeEmail(raw, { canonicalize: false });
    expect(result).not.toBeNull();
    expect(result?.canonical).toBe(result?.address);
  });

  it('canonicalizes by default', () => {
    expect(normalizeEmail('a.b@gmail.com', {})?.canonical).toBe('ab@gmail.com');
  });
});

describe('normalizeEmail: properties', () => {
  const emails = fc.emailAddress();

  it('is idempotent on both forms', () => {
    fc.assert(
      fc.property(emails, (raw) => {
        const first = normalizeEmail(raw);
        if (first === null) return;
        expect(normalizeEmail(first.address)).toEqual(first);
        expect(normalizeEmail(first.canonical)?.canonical).toBe(first.canonical);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores case and surrounding whitespace', () => {
    fc.assert(
      fc.property(emails, fc.constantFrom(' ', '\t', '\n', ''), (raw, pad) => {
        expect(normalizeEmail(`${pad}${raw.toUpperCase()}${pad}`)).toEqual(normalizeEmail(raw));
      }),
      { numRuns: 300 },
    );
  });
});
