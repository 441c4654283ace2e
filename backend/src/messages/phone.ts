import { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError } from '../common/app-error';

const USER_JID_SUFFIX = '@s.whatsapp.net';

export interface ParsedRecipient {
  /** E.164, such as +573001234567. */
  phoneNumber: string;
  /** WhatsApp user JID, such as 573001234567@s.whatsapp.net. */
  jid: string;
}

/**
 * Reads a recipient the way people type it. A number with `+` or `00` is international; any other
 * number is first read as national in `defaultCountry` and, only when that is not a valid number,
 * as international (so `573001234567` works). A WhatsApp user JID is accepted as it is.
 */
export function parseRecipient(input: string, defaultCountry: string, field = 'to'): ParsedRecipient {
  const trimmed = input.trim();
  const fromJid = trimmed.endsWith(USER_JID_SUFFIX) ? trimmed.slice(0, -USER_JID_SUFFIX.length).split(':')[0] : undefined;
  const candidate = fromJid ?? trimmed;

  const parsed = parseCandidate(candidate, defaultCountry as CountryCode);
  if (!parsed) {
    throw AppError.badRequest(
      'INVALID_PHONE',
      `${field} "${input.slice(0, 64)}" is not a valid phone number. Write it with its country code, such as +57 300 123 4567.`,
      { errors: [{ field, reason: 'not a valid phone number' }] },
    );
  }

  const digits = parsed.slice(1);
  return { phoneNumber: parsed, jid: `${digits}${USER_JID_SUFFIX}` };
}

function parseCandidate(candidate: string, defaultCountry: CountryCode): string | undefined {
  if (!/^[+\d\s().\-/]+$/.test(candidate)) return undefined;

  const compact = candidate.replace(/[\s().\-/]/g, '');
  if (compact.startsWith('+') || compact.startsWith('00')) {
    return validInternational(`+${compact.replace(/^(\+|00)/, '')}`);
  }

  return validE164(compact, defaultCountry) ?? validInternational(`+${compact}`);
}

/** Also accepts Mexican mobiles written with the old `1` after +52, which numbering plans dropped in 2019. */
function validInternational(text: string): string | undefined {
  return validE164(text) ?? (text.startsWith('+521') ? validE164(`+52${text.slice(4)}`) : undefined);
}

function validE164(text: string, country?: CountryCode): string | undefined {
  const phone = parsePhoneNumberFromString(text, country);
  return phone?.isValid() ? phone.number : undefined;
}

/** E.164 number of a WhatsApp user JID (`573001234567:3@s.whatsapp.net` gives `+573001234567`), or null for other JIDs. */
export function phoneNumberFromJid(jid: string | null | undefined): string | null {
  if (!jid || !jid.endsWith(USER_JID_SUFFIX)) return null;
  const user = jid.slice(0, -USER_JID_SUFFIX.length).split(':')[0];
  return /^\d+$/.test(user) ? `+${user}` : null;
}

/**
 * The numbers under which WhatsApp may know the account of `phoneNumber` (E.164), the typed form
 * first. Accounts keep the number they registered with, and three numbering plans changed since:
 * Mexican mobiles lost the `1` after +52, Argentine mobiles are dialled with a `9` after +54 only
 * from abroad, and Brazilian mobiles gained a ninth digit after the area code.
 */
export function whatsAppCandidates(phoneNumber: string): string[] {
  const digits = phoneNumber.replace(/^\+/, '');
  const variant = otherForm(digits);
  return variant ? [`+${digits}`, `+${variant}`] : [`+${digits}`];
}

function otherForm(digits: string): string | undefined {
  const mexico = /^52(1?)(\d{10})$/.exec(digits);
  if (mexico) return mexico[1] ? `52${mexico[2]}` : `521${mexico[2]}`;

  const argentina = /^54(9?)(\d{10})$/.exec(digits);
  if (argentina) return argentina[1] ? `54${argentina[2]}` : `549${argentina[2]}`;

  // Only mobiles moved to nine digits: they start with 9 now and with 6 to 9 before.
  const brazilNew = /^55(\d{2})9(\d{8})$/.exec(digits);
  if (brazilNew) return `55${brazilNew[1]}${brazilNew[2]}`;
  const brazilOld = /^55(\d{2})([6-9]\d{7})$/.exec(digits);
  if (brazilOld) return `55${brazilOld[1]}9${brazilOld[2]}`;

  return undefined;
}
